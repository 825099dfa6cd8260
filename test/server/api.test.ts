import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { dominates } from '../../core/pareto.ts';
import { orient } from '../../core/front.ts';
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
  const exporter: TrialExporter = {
    formats: () => ['json', 'tfjs'],
    async write({ trial, formats }) {
      exported.push(trial.id);
      return { dir: join(dir, `trial-${trial.id}`), files: (formats ?? ['json']).map((f) => `${f}/model`) };
    },
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

  it('computes THE Pareto front over all objectives server-side, with the experiment\'s directions', async () => {
    const res = await srv.get('/api/experiments/1/pareto');
    expect(res.status).toBe(200);
    const body = res.body as { front: { id: number; values: Record<string, number> }[]; counts: { considered: number } };
    const all = ((await srv.get('/api/experiments/1/trials?state=finished&feasible=true&limit=1000')).body as Page<TrialRecord>).items;
    expect(body.counts.considered).toBe(all.length);
    const vec = (m: Record<string, number>) => [orient(m.accuracy as number, 'max'), m.latency_ms as number, m.energy_mj as number, m.model_kb as number];
    const frontIds = new Set(body.front.map((f) => f.id));
    // Brute force over all four objectives: exactly the non-dominated feasible trials are on the front.
    for (const t of all) {
      const dominated = all.some((o) => dominates(vec(o.metrics as Record<string, number>), vec(t.metrics as Record<string, number>)));
      expect(frontIds.has(t.id)).toBe(!dominated);
    }
    // /points marks the same trials, and the front filter of the trials table returns them.
    const sorted = [...frontIds].sort((a, b) => a - b);
    const pts = (await srv.get('/api/experiments/1/points')).body as { ids: number[]; onFront: number[] };
    expect(pts.ids.filter((_, i) => pts.onFront[i] === 1).sort((a, b) => a - b)).toEqual(sorted);
    const page = (await srv.get('/api/experiments/1/trials?front=true&limit=1000')).body as Page<TrialRecord>;
    expect(page.items.map((t) => t.id).sort((a, b) => a - b)).toEqual(sorted);
  });

  it('filters by metric ranges and design choices, sorts by any column, and downloads what it shows', async () => {
    const filter = encodeURIComponent(JSON.stringify({ accuracy: [85, null], dataflow: ['ws'] }));
    const page = (await srv.get(`/api/experiments/1/trials?filter=${filter}&sort=accuracy&order=desc&limit=1000`)).body as Page<TrialRecord>;
    const all = ((await srv.get('/api/experiments/1/trials?state=finished&limit=1000')).body as Page<TrialRecord>).items;
    const expected = all.filter((t) => (t.metrics?.accuracy as number) >= 85 && (t.hw as { dataflow: string }).dataflow === 'ws');
    expect(expected.length).toBeGreaterThan(5);
    expect(page.total).toBe(expected.length);
    expect(page.items.map((t) => t.id).sort((a, b) => a - b)).toEqual(expected.map((t) => t.id).sort((a, b) => a - b));
    const acc = page.items.map((t) => t.metrics?.accuracy as number);
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    const byPes = (await srv.get('/api/experiments/1/trials?sort=pes&order=asc&limit=1000')).body as Page<TrialRecord>;
    const pes = byPes.items.map((t) => (t.hw as { peRows: number }).peRows * (t.hw as { peCols: number }).peCols);
    expect(pes).toEqual([...pes].sort((a, b) => a - b));
    const csv = await srv.get(`/api/experiments/1/download?format=csv&filter=${filter}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="small-trials.csv"/);
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toMatch(/^number,id,state,feasible,on_pareto_front,accuracy \[%\],latency_ms \[ms\]/);
    expect(lines).toHaveLength(expected.length + 1);
    const json = (await srv.get('/api/experiments/1/download?format=json')).body as { id: number; state: string; design: Json }[];
    expect(json).toHaveLength(302);
    expect(json.filter((t) => t.state === 'running')).toHaveLength(2);
    expect(json[0]?.design).toHaveProperty('dataflow');
  });

  it('states how the experiment ran', async () => {
    const e = (await srv.get('/api/experiments/1')).body as { facts: { strategy: { name: string }; budget: number; seed: number } };
    expect(e.facts.strategy.name).toBe('nsga2');
    expect(e.facts.budget).toBe(300);
    expect(e.facts.seed).toBe(7);
  });

  it('serves the hypervolume history over all objectives, points and a trial with its experiment', async () => {
    const h = (await srv.get('/api/experiments/1/history')).body as { samples: { hypervolume: number }[]; hypervolume: { objectives: string[]; reference: number[]; maxPossible: number; normalisation: { method: string } } };
    expect(h.hypervolume.objectives).toEqual(['accuracy', 'latency_ms', 'energy_mj', 'model_kb']);
    expect(h.hypervolume.reference).toEqual([1.1, 1.1, 1.1, 1.1]);
    expect(h.hypervolume.normalisation.method).toMatch(/min–max/);
    const hv = h.samples.map((s) => s.hypervolume);
    expect(hv.at(-1)).toBeGreaterThan(0);
    expect(hv.at(-1)).toBeLessThanOrEqual(h.hypervolume.maxPossible);
    expect(hv.every((v, i) => i === 0 || v >= (hv[i - 1] as number))).toBe(true);
    const pts = (await srv.get('/api/experiments/1/points')).body as { ids: number[]; values: number[][]; design: Record<string, { kind: string; levels?: string[] }> };
    expect(pts.values).toHaveLength(4);
    expect(pts.values[0]).toHaveLength(pts.ids.length);
    expect(pts.design.dataflow?.levels?.sort()).toEqual(['os', 'ws']);
    const t = await srv.get(`/api/trials/${pts.ids[0]}`);
    expect(t.status).toBe(200);
    const tb = t.body as { exportable: boolean; exportFormats: string[]; experiment: { name: string }; design: { pe_array: string } };
    expect(tb.experiment.name).toBe('small');
    expect(tb.exportable).toBe(true);
    expect(tb.exportFormats).toEqual(['json', 'tfjs']);
    expect(tb.design.pe_array).toMatch(/^\d+×\d+$/);
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
      ['/api/experiments/1/pareto?x=latency_ms', 400, ''],
      ['/api/experiments/1/history?x=latency_ms', 400, ''],
      ['/api/experiments/1/trials?filter=nope', 400, 'filter'],
      ['/api/experiments/1/trials?filter=%7B%22nope%22%3A%5B1%2C2%5D%7D', 400, 'filter.nope'],
      ['/api/experiments/1/trials?filter=%7B%22accuracy%22%3A%5B%22a%22%2C2%5D%7D', 400, 'filter.accuracy'],
      ['/api/experiments/1/trials?front=true&state=failed', 400, 'state'],
      ['/api/experiments/1/download?format=xls', 400, 'format'],
      ['/api/compare?ids=1', 400, 'ids'],
      ['/api/compare?ids=1,1', 400, 'ids'],
      ['/api/compare?ids=1,999', 404, ''],
      ['/api/trials/1/bundle.zip', 404, 'id'],
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
    expect((await post(`/api/trials/${finished.id}/export`, '{"formats":["onnx"]}')).status).toBe(400);
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
