/**
 * The UI server reading while a search writes (issue 8.3): one writer connection commits atomic steps
 * of STEP trials plus one event each, while 10 API clients and 5 SSE clients read through the server's
 * read-only connection. No request may fail ("database is locked" would surface as 503) and no read
 * may be torn: every count and page total is a multiple of STEP, and every SSE client sees each step's
 * event exactly once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { createApp } from '../../server/app.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { StepTrial } from '../../storage/types.ts';
import { metricsOf, OBJECTIVES, randomArch, randomHw } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';

const STEP = 5;
const STEPS = 30;

async function sseDone(url: string, until: number, signal: AbortSignal): Promise<number[]> {
  const res = await fetch(url, { signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const seen: number[] = [];
  let buf = '';
  while (seen.at(-1) !== until) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
      const data = buf.slice(0, cut).split('\n').find((l) => l.startsWith('data: '));
      buf = buf.slice(cut + 2);
      if (data) seen.push((JSON.parse(data.slice(6)) as { payload: { done: number } }).payload.done);
    }
  }
  await reader.cancel();
  return seen;
}

describe('concurrent readers during a running search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-conc-'));
  let writer: SqliteStorage;
  let reader: SqliteStorage;
  let srv: Served;
  let expId: number;
  const serverErrors: unknown[] = [];

  beforeAll(async () => {
    writer = await SqliteStorage.open(join(dir, 'nas.db'));
    expId = (await writer.createExperiment({ name: 'live', config: { budget: STEP * STEPS }, seed: 1, space: 'mbconv', objectives: OBJECTIVES })).id;
    reader = await SqliteStorage.open(join(dir, 'nas.db'), { readonly: true });
    srv = await serve(createApp({ storage: reader, events: { pollMs: 10 }, log: (e) => serverErrors.push(e) }));
  });
  afterAll(async () => {
    await srv.close();
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves 10 API and 5 SSE clients without errors or torn reads', async () => {
    const rng = new Rng('concurrency');
    let writing = true;
    const search = (async () => {
      for (let s = 1; s <= STEPS; s++) {
        const trials: StepTrial[] = Array.from({ length: STEP }, () => {
          const arch = randomArch(rng);
          const hw = randomHw(rng);
          return { experimentId: expId, arch, hw, outcome: { state: 'finished', metrics: metricsOf(arch, hw, rng, false), feasible: true } };
        });
        await writer.commitStep({ experimentId: expId, trials, snapshot: { s }, events: [{ experimentId: expId, type: 'progress', payload: { done: s * STEP } }] });
        await new Promise((r) => setTimeout(r, 5));
      }
      writing = false;
    })();

    const ac = new AbortController();
    const streams = Array.from({ length: 5 }, () => sseDone(`${srv.url}/api/events?experimentId=${expId}`, STEP * STEPS, ac.signal));
    const paths = [`/api/experiments/${expId}`, `/api/experiments/${expId}/trials?state=finished&sort=accuracy&order=desc&limit=20`,
      `/api/experiments/${expId}/pareto`, `/api/experiments/${expId}/points`, '/api/experiments'];
    const bad: string[] = [];
    let requests = 0;
    const clients = Array.from({ length: 10 }, async (_, c) => {
      while (writing) {
        const path = paths[(c + requests) % paths.length] as string;
        const res = await fetch(srv.url + path);
        requests++;
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status !== 200) bad.push(`${res.status} ${path} ${JSON.stringify(body)}`);
        const counts = [
          (body.trials as { finished?: number } | undefined)?.finished,
          path.includes('/trials?') ? (body.total as number) : undefined,
          path.endsWith('/points') ? (body.ids as unknown[]).length : undefined,
          path.includes('/pareto') ? (body.counts as { finished: number }).finished : undefined,
        ].filter((n): n is number => typeof n === 'number');
        for (const n of counts) if (n % STEP !== 0) bad.push(`torn read: ${n} trials from ${path}`);
      }
    });
    await Promise.all([search, ...clients]);
    const seen = await Promise.all(streams);
    ac.abort();
    expect(bad).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    const expected = Array.from({ length: STEPS }, (_, i) => (i + 1) * STEP);
    for (const s of seen) expect(s).toEqual(expected);
  });
});
