import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { dominates, orient } from '../../server/pareto.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Page, TrialRecord } from '../../storage/types.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';

type Json = Record<string, unknown>;

describe('API over a temp SQLite store opened read-only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-api-'));
  let srv: Served;
  let reader: SqliteStorage;
  const exported: number[] = [];
  const exporter: TrialExporter = async ({ trial, formats }) => {
    exported.push(trial.id);
    return { dir: join(dir, `trial-${trial.id}`), files: (formats ?? ['json']).map((f) => `${f}/model`) };
  };

  beforeAll(async () => {
    const writer = await SqliteStorage.open(join(dir, 'nas.db'));
    await fillExperiment(writer, { name: 'small', trials: 300, seed: 7 });
    await fillExperiment(writer, { name: 'empty', trials: 0, running: 0 });
    await writer.close();
    reader = await SqliteStorage.open(join(dir, 'nas.db'), { readonly: true });
    srv = await serve(createApp({ storage: reader, exporter, log: () => undefined }));
  });
  afterAll(async () => {
    await srv.close();
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists experiments with counts and progress', async () => {
    const { status, body } = await srv.get('/api/experiments');
    expect(status).toBe(200);
    const list = body as Json[];
    expect(list.map((e) => e.name)).toEqual(['empty', 'small']);
    const small = list[1] as { trials: { total: number; running: number }; budget: number; progress: number };
    expect(small.trials.total).toBe(302);
    expect(small.trials.running).toBe(2);
    expect(small.budget).toBe(300);
    expect(small.progress).toBe(1);
  });

  it('pages, filters and sorts trials by an objective in both directions', async () => {
    const asc = (await srv.get('/api/experiments/1/trials?state=finished&sort=latency_ms&order=asc&limit=40&offset=10')).body as Page<TrialRecord>;
    expect(asc.items).toHaveLength(40);
    expect(asc.offset).toBe(10);
    const lat = asc.items.map((t) => t.metrics?.latency_ms as number);
    expect(lat).toEqual([...lat].sort((a, b) => a - b));
    const desc = (await srv.get('/api/experiments/1/trials?sort=accuracy&order=desc&limit=1000')).body as Page<TrialRecord>;
    const acc = desc.items.filter((t) => t.metrics).map((t) => t.metrics?.accuracy as number);
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    expect(desc.total).toBe(302);
    const infeasible = (await srv.get('/api/experiments/1/trials?feasible=false&limit=1000')).body as Page<TrialRecord>;
    expect(infeasible.total).toBeGreaterThan(0);
    expect(infeasible.items.every((t) => t.feasible === false)).toBe(true);
  });

  it('computes the Pareto front server-side with the experiment\'s directions', async () => {
    const res = await srv.get('/api/experiments/1/pareto?x=latency_ms&y=accuracy');
    expect(res.status).toBe(200);
    const body = res.body as { front: { id: number; values: Record<string, number> }[]; counts: { considered: number } };
    const all = ((await srv.get('/api/experiments/1/trials?state=finished&feasible=true&limit=1000')).body as Page<TrialRecord>).items;
    expect(body.counts.considered).toBe(all.length);
    const vec = (m: Record<string, number>) => [orient(m.latency_ms as number, 'min'), orient(m.accuracy as number, 'max')];
    const frontIds = new Set(body.front.map((f) => f.id));
    // Brute force: exactly the non-dominated feasible trials are on the front.
    for (const t of all) {
      const dominated = all.some((o) => dominates(vec(o.metrics as Record<string, number>), vec(t.metrics as Record<string, number>)));
      expect(frontIds.has(t.id)).toBe(!dominated);
    }
    const three = (await srv.get('/api/experiments/1/pareto?x=latency_ms&y=accuracy&z=energy_mj')).body as { front: unknown[] };
    expect(three.front.length).toBeGreaterThanOrEqual(body.front.length);
  });

  it('serves history, points and a trial with its experiment', async () => {
    const h = (await srv.get('/api/experiments/1/history?x=latency_ms&y=accuracy')).body as { samples: { hypervolume: number; best: (number | null)[] }[] };
    const hv = h.samples.map((s) => s.hypervolume);
    expect(hv.at(-1)).toBeGreaterThan(0);
    expect(hv.every((v, i) => i === 0 || v >= (hv[i - 1] as number))).toBe(true);
    // Without y the history pairs x with the first other objective.
    const defaulted = (await srv.get('/api/experiments/1/history?x=latency_ms')).body as { hypervolume: { x: string; y: string } };
    expect(defaulted.hypervolume).toMatchObject({ x: 'latency_ms', y: 'accuracy' });
    const pts = (await srv.get('/api/experiments/1/points')).body as { ids: number[]; values: number[][] };
    expect(pts.values).toHaveLength(4);
    expect(pts.values[0]).toHaveLength(pts.ids.length);
    const t = await srv.get(`/api/trials/${pts.ids[0]}`);
    expect(t.status).toBe(200);
    expect((t.body as { exportable: boolean; experiment: { name: string } }).experiment.name).toBe('small');
    expect((t.body as { exportable: boolean }).exportable).toBe(true);
  });

  it('answers bad input with 4xx JSON naming the field', async () => {
    const cases: [string, number, string][] = [
      ['/api/experiments/abc', 400, 'id'],
      ['/api/experiments/999', 404, ''],
      ['/api/experiments/1/trials?limit=0', 400, 'limit'],
      ['/api/experiments/1/trials?limit=5000', 400, 'limit'],
      ['/api/experiments/1/trials?order=up', 400, 'order'],
      ['/api/experiments/1/trials?sort=DROP%20TABLE', 400, 'sort'],
      ['/api/experiments/1/trials?state=finished&state=failed', 400, 'state'],
      ['/api/experiments/1/trials?bogus=1', 400, ''],
      ['/api/experiments/1/pareto?x=latency_ms', 400, 'y'],
      ['/api/experiments/1/pareto?x=latency_ms&y=nope', 400, 'y'],
      ['/api/experiments/1/pareto?x=accuracy&y=accuracy', 400, 'y'],
      ['/api/experiments/1/pareto?x=accuracy&y=latency_ms&z=accuracy', 400, 'z'],
      ['/api/experiments/1/history?x=latency_ms&y=latency_ms', 400, 'y'],
      ['/api/trials/0', 400, 'id'],
      ['/api/nothing', 404, ''],
    ];
    for (const [path, status, field] of cases) {
      const r = await srv.get(path);
      expect(r.status, path).toBe(status);
      expect(typeof (r.body as Json).error, path).toBe('string');
      if (field) expect((r.body as Json).field, path).toBe(field);
    }
  });

  it('exports finished trials only, with a validated, size-limited body', async () => {
    const post = (path: string, body: string) => srv.get(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const finished = ((await srv.get('/api/experiments/1/trials?state=finished&limit=1')).body as Page<TrialRecord>).items[0] as TrialRecord;
    const running = ((await srv.get('/api/experiments/1/trials?state=running&limit=1')).body as Page<TrialRecord>).items[0] as TrialRecord;
    const ok = await post(`/api/trials/${finished.id}/export`, '{"formats":["json"]}');
    expect(ok.status).toBe(201);
    expect((ok.body as { files: string[] }).files).toEqual(['json/model']);
    expect((await post(`/api/trials/${running.id}/export`, '{}')).status).toBe(409);
    const bad = await post(`/api/trials/${finished.id}/export`, '{"formats":["exe"]}');
    expect(bad.status).toBe(400);
    expect((bad.body as Json).field).toBe('formats.0');
    expect((await post(`/api/trials/${finished.id}/export`, '{"out":"../../etc"}')).status).toBe(400);
    expect((await post(`/api/trials/${finished.id}/export`, '{not json')).status).toBe(400);
    const big = await post(`/api/trials/${finished.id}/export`, JSON.stringify({ formats: ['json'], pad: 'x'.repeat(64_000) }));
    expect(big.status).toBe(413);
    expect(exported).toEqual([finished.id]);
  });

  it('sends security headers and serves the UI and the local echarts', async () => {
    const page = await srv.get('/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(String(page.body)).toContain('<script type="module" src="/app.js">');
    const ec = await fetch(`${srv.url}/vendor/echarts.min.js`);
    expect(ec.status).toBe(200);
    expect((await ec.text()).length).toBeGreaterThan(500_000);
    expect((await srv.get('/../package.json')).status).toBe(404);
    expect((await srv.get('/%2e%2e/package.json')).status).toBe(404);
  });
});

describe('export disabled and token auth', () => {
  it('hides export without an exporter', async () => {
    const storage = new MemoryStorage();
    await fillExperiment(storage, { name: 'm', trials: 5, running: 0 });
    const srv = await serve(createApp({ storage }));
    try {
      expect(((await srv.get('/api/info')).body as Json).exporter).toBe(false);
      expect(((await srv.get('/api/trials/1')).body as Json).exportable).toBe(false);
      expect((await srv.get('/api/trials/1/export', { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    } finally {
      await srv.close();
    }
  });

  it('checks the token on every request, static files included', async () => {
    const storage = new MemoryStorage();
    const srv = await serve(createApp({ storage, token: 'secret-token-123' }));
    try {
      for (const p of ['/', '/app.js', '/api/experiments', '/api/events']) expect((await srv.get(p)).status, p).toBe(401);
      expect((await srv.get('/api/experiments', { headers: { authorization: 'Bearer wrong-token-000' } })).status).toBe(401);
      expect((await srv.get('/api/experiments', { headers: { authorization: 'Bearer secret-token-123' } })).status).toBe(200);
      const link = await fetch(`${srv.url}/?token=secret-token-123`);
      expect(link.status).toBe(200);
      const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(link.headers.get('set-cookie')).toMatch(/HttpOnly/i);
      expect((await srv.get('/api/experiments', { headers: { cookie } })).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});
