/**
 * Fuzzing the API with ≥ 1,000 seeded random and malformed requests: random methods, paths built
 * from real routes with broken ids and encodings, traversal attempts, random query strings, bodies
 * of the wrong type or size. The server must answer every one with < 500 and keep serving.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { createApp } from '../../server/app.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';

const ROUTES = [
  '/api/experiments', '/api/experiments/1', '/api/experiments/1/trials', '/api/experiments/1/points', '/api/experiments/1/pareto',
  '/api/experiments/1/history', '/api/trials/3', '/api/trials/3/export', '/api/info', '/', '/app.js', '/vendor/echarts.min.js', '/api/events',
];
const KEYS = ['x', 'y', 'z', 'state', 'feasible', 'sort', 'order', 'limit', 'offset', 'after', 'experimentId', 'token', '__proto__', 'constructor'];
const NASTY = [
  '', '-1', '0', '1', '2', '99999999999', '1e3', '0x10', 'NaN', 'null', 'accuracy', 'latency_ms', 'metric:accuracy', 'asc', 'desc', 'true',
  'finished', '%', '%ZZ', '%00', '%2e%2e', '..', '../..', "'; DROP TABLE trials; --", '<script>', '\u00e9\u{1F600}', 'a'.repeat(3000), '[]', '{}',
];

/** Percent-encodes only what an HTTP request line cannot carry, keeping stray `%`, `..` and quotes. */
const raw = (s: string): string => s.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

function randomPath(rng: Rng): string {
  let path = rng.choice(ROUTES);
  const r = rng.next();
  if (r < 0.25) path = path.replace(/\/\d+/, `/${encodeURIComponent(rng.choice(NASTY))}`);
  else if (r < 0.35) path = path.replace(/\/\d+/, `/${raw(rng.choice(NASTY))}`);
  else if (r < 0.45) path = `${path}/${rng.choice(['..', '%2e%2e', '..%2f..%2fpackage.json', '%2F', 'x'])}/${rng.choice(['package.json', 'etc/passwd', ''])}`;
  else if (r < 0.5) path = `/${raw(rng.choice(NASTY))}`;
  const params: string[] = [];
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const key = rng.choice(KEYS);
    const value = rng.choice(NASTY);
    params.push(rng.bool(0.7) ? `${encodeURIComponent(key)}=${encodeURIComponent(value)}` : `${raw(key)}=${raw(value)}`);
  }
  return params.length ? `${path}?${params.join('&')}` : path;
}

function randomBody(rng: Rng): { body?: string; type?: string } {
  const r = rng.next();
  if (r < 0.4) return {};
  if (r < 0.55) return { body: JSON.stringify({ formats: [rng.choice(['tfjs', 'onnx', 'json', 'exe', 1, null])] }), type: 'application/json' };
  if (r < 0.7) return { body: rng.choice(['{', 'null', '[]', '"x"', '{"formats":"json"}', '{"__proto__":{"x":1}}']), type: 'application/json' };
  if (r < 0.8) return { body: 'x'.repeat(rng.intBetween(10_000, 40_000)), type: 'application/json' };
  return { body: 'a=b', type: rng.choice(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) };
}

/** Raw http.request so malformed paths reach the server unnormalised (fetch would resolve them). */
function send(url: URL, method: string, path: string, b: { body?: string; type?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: b.type ? { 'content-type': b.type } : {} }, (res) => {
      const status = res.statusCode ?? 0;
      // SSE streams stay open: the status line is all we need.
      res.destroy();
      resolve(status);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.end(b.body);
  });
}

describe('API fuzz', () => {
  let srv: Served;
  const errors: unknown[] = [];

  beforeAll(async () => {
    const storage = new MemoryStorage();
    await fillExperiment(storage, { name: 'fuzz', trials: 60, seed: 3 });
    srv = await serve(createApp({ storage, exporter: { formats: () => ['json'], write: async ({ trial }) => ({ dir: `/tmp/none/${trial.id}`, files: [] }) }, log: (e) => errors.push(e) }));
  });
  afterAll(() => srv.close());

  it('answers 1,200 random and malformed requests without a 5xx', async () => {
    const rng = new Rng('api-fuzz');
    const url = new URL(srv.url);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const method = rng.choice(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
      const path = randomPath(rng);
      const status = await send(url, method, path, randomBody(rng));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) failures.push(`${status} ${method} ${path.slice(0, 120)}`);
    }
    if (errors.length) console.log(errors.map((e) => `${(e as Error).message} ${(e as { rawPacket?: Buffer }).rawPacket?.toString().slice(0, 200)}`).join("\n---\n"));
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    // The run exercised both successes and rejections.
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect((await srv.get('/api/experiments')).status).toBe(200);
  });
});
