/**
 * Issue 18.2–18.3 with spoofed headers against the real server on a real SQLite file: DNS rebinding
 * (foreign Host), cross-origin writes (CSRF), no absolute paths in answers, and export folders named
 * by a crafted database that must not leave the exports folder.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPolicy, startUi, type RunningUi } from '../../cli/commands/ui.ts';
import { hostGuard, hostName } from '../../server/origin.ts';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { Connection, OPEN_READWRITE } from '../../storage/connection.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Page, TrialRecord } from '../../storage/types.ts';
import { runCli } from '../cli/run.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';

interface Answer { status: number; body: string }

/** Raw request so Host, Origin and Sec-Fetch-* can be anything (fetch would set them itself). */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      if (res.headers['content-type']?.startsWith('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
      }
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('host names', () => {
  it('parses Host headers strictly', () => {
    expect(hostName('[::1]:8321')).toBe('::1');
    expect(hostName('Evil.COM.:80')).toBe('evil.com');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    for (const bad of ['', 'a b', 'user@localhost', 'localhost/x', 'localhost?x', 'x'.repeat(300), undefined]) expect(hostName(bad), String(bad)).toBeNull();
  });

  it('a loopback server answers to loopback names and its --host; one bound to every address also to IP literals', () => {
    const allows = (policy: ReturnType<typeof hostPolicy>, host: string) => {
      let ok = false;
      hostGuard(policy)({ headers: { host } } as never, { status: () => ({ json: () => undefined }) } as never, () => (ok = true));
      return ok;
    };
    const loop = hostPolicy('127.0.0.1');
    expect(['localhost:1', '127.0.0.1:1', '[::1]:1'].map((h) => allows(loop, h))).toEqual([true, true, true]);
    expect(['192.168.1.5:1', 'evil.com:1', 'nas.local:1'].map((h) => allows(loop, h))).toEqual([false, false, false]);
    expect(allows(hostPolicy('127.0.0.1', ['nas.local']), 'nas.local:1')).toBe(true);
    const all = hostPolicy('0.0.0.0');
    expect(['192.168.1.5:1', '[fe80::1]:1', 'localhost:1'].map((h) => allows(all, h))).toEqual([true, true, true]);
    expect(allows(all, 'evil.com:1')).toBe(false);
  });
});

describe('Host and Origin checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-origin-'));
  let srv: Served;
  let reader: SqliteStorage;
  let host: string;
  let finished: number;
  const exported: number[] = [];
  const exporter: TrialExporter = {
    formats: () => ['json'],
    write: async ({ trial }) => {
      exported.push(trial.id);
      return { dir: join(dir, 'exports', 'x', `trial-${trial.number}`), shown: `exports/x/trial-${trial.number}`, files: ['README.md'] };
    },
  };

  beforeAll(async () => {
    const w = await SqliteStorage.open(join(dir, 'nas.db'));
    await fillExperiment(w, { name: 'origin', trials: 10, running: 0, failRate: 0 });
    await w.close();
    reader = await SqliteStorage.open(join(dir, 'nas.db'), { readonly: true });
    srv = await serve(createApp({ storage: reader, exporter, log: () => undefined }));
    host = new URL(srv.url).host;
    finished = ((await srv.get('/api/experiments/1/trials?state=finished&limit=1')).body as Page<TrialRecord>).items[0]!.id;
  });
  afterAll(async () => {
    await srv.close();
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses requests for another host name (DNS rebinding), every route included', async () => {
    const port = new URL(srv.url).port;
    for (const path of ['/api/experiments', '/api/info', '/', '/app.js', '/api/events', '/api/trials/1', '/vendor/echarts.min.js', '/no/such/route']) {
      for (const h of ['evil.com', `evil.com:${port}`, `127.0.0.1.evil.com:${port}`, `localhost.:${port}x`, '']) {
        const r = await send(srv.url, 'GET', path, { host: h, origin: 'http://evil.com' });
        expect(r.status, `${h} ${path}`).toBe(403);
        expect(r.body).not.toContain('origin');
      }
    }
    for (const h of [host, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, '127.0.0.1']) {
      expect((await send(srv.url, 'GET', '/api/experiments', { host: h })).status, h).toBe(200);
    }
  });

  it('state-changing requests need a same-origin browser context and a JSON body type', async () => {
    const path = `/api/trials/${finished}/export`;
    const json = { host, 'content-type': 'application/json' };
    const refused: [Record<string, string>, number][] = [
      [{ host, 'content-type': 'text/plain' }, 415], // a form or no-cors fetch cannot send JSON
      [{ host, 'content-type': 'text/plain', origin: 'http://evil.com' }, 403],
      [{ ...json, origin: 'http://evil.com' }, 403],
      [{ ...json, origin: `http://127.0.0.1:1` }, 403], // same site, other port: another origin
      [{ ...json, origin: 'null' }, 403],
      [{ ...json, 'sec-fetch-site': 'cross-site' }, 403],
      [{ ...json, 'sec-fetch-site': 'same-site' }, 403],
      [{ host, 'content-type': 'application/x-www-form-urlencoded', origin: `http://${host}` }, 415],
    ];
    for (const [headers, status] of refused) expect((await send(srv.url, 'POST', path, headers, '{}')).status, JSON.stringify(headers)).toBe(status);
    expect(exported).toEqual([]);
    expect((await send(srv.url, 'POST', path, { ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, '{}')).status).toBe(201);
    expect((await send(srv.url, 'POST', path, json, '{}')).status).toBe(201); // curl and scripts send neither header
    expect(exported).toEqual([finished, finished]);
  });

  it('/api/info and error messages show no absolute paths', async () => {
    const info = JSON.parse((await send(srv.url, 'GET', '/api/info', { host })).body) as Record<string, unknown>;
    expect(info).toEqual({ exporter: true, database: 'nas.db' });
    const closed = await SqliteStorage.open(join(dir, 'nas.db'), { readonly: true });
    const app = createApp({ storage: closed, log: () => undefined });
    await closed.close();
    const s2 = await serve(app);
    try {
      const r = await s2.get('/api/experiments');
      expect(r.status).toBe(503);
      expect(JSON.stringify(r.body)).not.toContain(dir);
      expect((r.body as { error: string }).error).toMatch(/^nas\.db: storage is closed/);
    } finally {
      await s2.close();
    }
  });

  it('a token server accepts a Bearer token for writes from any client', async () => {
    const app = createApp({ storage: reader, exporter, token: 'token-1234567', log: () => undefined });
    const s2 = await serve(app);
    try {
      const h = new URL(s2.url).host;
      const path = `/api/trials/${finished}/export`;
      expect((await send(s2.url, 'POST', path, { host: h, 'content-type': 'text/plain', authorization: 'Bearer token-1234567' }, '')).status).toBe(201);
      const cookie = `nas_token=token-1234567`;
      // The cookie alone does not authorise a cross-origin write: other ports of the host are the same site.
      expect((await send(s2.url, 'POST', path, { host: h, cookie, 'content-type': 'text/plain', origin: 'http://127.0.0.1:9' }, '')).status).toBe(403);
    } finally {
      await s2.close();
    }
  });
});

describe('export folders named by a crafted database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-crafted-'));
  const db = join(dir, 'data', 'nas.db');
  let ui: RunningUi;
  let ids: { name: number; number: number };

  beforeAll(async () => {
    mkdirSync(join(dir, 'data'));
    const config = join(dir, 'exp.json');
    writeFileSync(config, JSON.stringify(TINY_EXPERIMENT));
    // Two real experiments whose trials export fine as JSON — until their names are tampered with.
    for (const name of ['a', 'b']) expect((await runCli('search', '--config', config, '--db', db, '--name', name, '--json')).code).toBe(0);
    rmSync(config);
    // What a hostile file could hold: names that validation would have refused when writing.
    const raw = await Connection.open(db, OPEN_READWRITE);
    await raw.exec("UPDATE experiments SET name = '../../escaped' WHERE name = 'a'");
    await raw.exec('DROP TRIGGER trials_completed_immutable');
    await raw.exec("UPDATE trials SET number = '../../../escaped-trial' WHERE experiment_id = 2 AND state = 'finished' AND number = (SELECT min(number) FROM trials WHERE experiment_id = 2 AND state = 'finished')");
    await raw.close();
    ui = await startUi({ port: '0', host: '127.0.0.1', db });
    const trials = async (exp: number) => ((await (await fetch(`${ui.url}api/experiments/${exp}/trials?state=finished`)).json()) as Page<TrialRecord>).items;
    ids = { name: (await trials(1))[0]!.id, number: (await trials(2)).find((t) => String(t.number).includes('..'))!.id };
  }, 120_000);
  afterAll(async () => {
    await ui.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([['experiment name', 'name', 'experiment.name'], ['trial number', 'number', 'trial.number']] as const)('%s with "../" → 400 naming the field, nothing written', async (_what, key, field) => {
    const res = await fetch(`${ui.url}api/trials/${ids[key]}/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"formats":["json"]}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error).toMatch(/refusing to write there|must be a positive integer/);
    expect(readdirSync(dir).sort()).toEqual(['data']);
    expect(readdirSync(join(dir, 'data')).filter((f) => !f.startsWith('nas.db'))).toEqual([]);
  });

  it('a legitimate trial of the same database exports inside the exports folder, reported relative to it', async () => {
    const page = (await (await fetch(`${ui.url}api/experiments/2/trials?state=finished`)).json()) as Page<TrialRecord>;
    const ok = page.items.find((t) => typeof t.number === 'number') as TrialRecord;
    const res = await fetch(`${ui.url}api/trials/${ok.id}/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"formats":["json"]}' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { dir: string; files: string[] };
    expect(body.dir).toBe(`exports/b/trial-${ok.number}`);
    expect(readdirSync(join(dir, 'data', body.dir)).sort()).toEqual([...body.files].sort());
    expect(readdirSync(dir).sort()).toEqual(['data']);
  });
});
