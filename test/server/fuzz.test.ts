/**
 * Fuzzing the API with ≥ 1,000 seeded random and malformed requests: random methods, paths built
 * from real routes with broken ids and encodings, traversal attempts, random query strings, bodies
 * of the wrong type or size, some with spoofed Host/Origin headers (testkit/fuzz-requests.ts). The
 * server must answer every one with < 500 and keep serving. test/drills/fuzz-drill.ts runs 5,000 such
 * requests against `nas ui` on a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { createApp } from '../../server/app.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { appRoutes, randomBody, randomOriginHeaders, randomPath, send } from '../../testkit/fuzz-requests.ts';
import { serve, type Served } from '../../testkit/serve.ts';

describe('API fuzz', () => {
  let srv: Served;
  let routes: string[];
  const errors: unknown[] = [];

  beforeAll(async () => {
    const storage = new MemoryStorage();
    await fillExperiment(storage, { name: 'fuzz', trials: 60, seed: 3 });
    const app = createApp({ storage, exporter: { formats: () => ['json'], write: async ({ trial }) => ({ dir: `exports/none/${trial.id}`, files: [] }) }, log: (e) => errors.push(e) });
    routes = appRoutes(app);
    srv = await serve(app);
  });
  afterAll(() => srv.close());

  it('answers 1,200 random and malformed requests without a 5xx', async () => {
    const rng = new Rng('api-fuzz');
    const url = new URL(srv.url);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const method = rng.choice(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
      const path = randomPath(rng, routes);
      const status = await send(url, method, path, randomBody(rng), rng.bool(0.2) ? randomOriginHeaders(rng, url.host) : {});
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) failures.push(`${status} ${method} ${path.slice(0, 120)}`);
    }
    if (errors.length) console.log(errors.map((e) => `${(e as Error).message} ${(e as { rawPacket?: Buffer }).rawPacket?.toString().slice(0, 200)}`).join("\n---\n"));
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    // The run exercised every route, successes and rejections.
    expect(routes).toEqual(expect.arrayContaining(['/api/experiments/:id/pareto', '/api/trials/:id/export', '/api/events', '/api/info']));
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect((await srv.get('/api/experiments')).status).toBe(200);
  });
});
