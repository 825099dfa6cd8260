/**
 * The non-search job kinds through real workers: a LUT build queued for a device label is timed only
 * by the worker carrying that label (another refuses, saying why) and stored under that machine's
 * provenance; mapping jobs give the mapper's result for the layer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeVersion } from '../../cluster/code-version.ts';
import { runCli } from '../cli/run.ts';
import { mapJob, type MapPayload } from '../../cluster/handlers.ts';
import { enqueueLutJobs } from '../../cluster/lut-jobs.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { runWorker } from '../../cluster/worker.ts';
import { listWorkers } from '../../cluster/workers.ts';
import { initTf } from '../../runtime/tf.ts';
import { PgStorage } from '../../storage/pg.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { LAYER } from '../drills/cluster-faults.ts';
import { CHEAP } from './fixture.ts';

describe.skipIf(!PG_URL)(PG_URL ? 'LUT and mapping jobs' : `LUT and mapping jobs (skipped: ${PG_SKIP})`, () => {
  it('a LUT build pinned to a device is timed by that device’s worker only', async () => {
    await initTf('cpu');
    const url = freshPgUrl('lut');
    const s = await PgStorage.open(url);
    try {
      const q = await PgQueue.open(s);
      const r = await enqueueLutJobs(q, { space: 'mbconv', spaceConfig: CHEAP.spaceConfig, device: 'pi4', batch: 1, repeats: 1, warmup: 0, seed: 0, clock: 'wall', codeVersion: 'v1', chunk: 8 });
      expect(r.jobs).toBe(Math.ceil(r.units / 8));
      const ctl = new AbortController();
      const lines: string[] = [];
      const other = runWorker({ storage: s, queue: q, kinds: ['lut'], concurrency: 1, codeVersion: 'v1', checkpoints: new Map(), device: 'desk', pollMs: 50, signal: ctl.signal, log: (l) => lines.push(l) });
      const target = await runWorker({ storage: s, queue: q, kinds: ['lut'], concurrency: 2, codeVersion: 'v1', checkpoints: new Map(), device: 'pi4', pollMs: 50, idleExitMs: 300 });
      ctl.abort();
      await other;
      expect(target.done).toBe(r.jobs);
      const entries = await s.listLutEntries();
      expect(entries).toHaveLength(r.units);
      expect(entries.every((e) => e.count === 1 && e.medianMs > 0)).toBe(true);
      const jobs = await q.jobs({ kind: 'lut' });
      expect(jobs.every((j) => j.state === 'done' && (j.provenance as { host: string }).host.length > 0)).toBe(true);
      expect(lines.some((l) => /refusing \d+ queued lut job\(s\): they are pinned to device pi4, this worker is desk/.test(l))).toBe(true);
      const rows = await listWorkers(q);
      expect(rows.find((w) => w.device === 'desk')).toMatchObject({ done: 0, state: 'stopped' });
      // re-issuing the same build is idempotent: no new jobs
      await enqueueLutJobs(q, { space: 'mbconv', spaceConfig: CHEAP.spaceConfig, device: 'pi4', batch: 1, repeats: 1, warmup: 0, seed: 0, clock: 'wall', codeVersion: 'v1', chunk: 8 });
      expect((await q.counts()).queued).toBe(0);
    } finally {
      await s.close();
      await dropPgSchema(url);
    }
  });

  it('mapping jobs return the mapper’s result for each layer', async () => {
    const url = freshPgUrl('map');
    const s = await PgStorage.open(url);
    try {
      const q = await PgQueue.open(s);
      const payloads: MapPayload[] = [{ preset: 'eyeriss', layer: LAYER, maxEvaluations: 300, patience: 80 }, { preset: 'simba', layer: { ...LAYER, m: 16 }, maxEvaluations: 300, patience: 80 }, { preset: 'no-such-preset', layer: LAYER }];
      await q.enqueue(payloads.map((p, i) => ({ key: `map/t/${i}`, kind: 'map' as const, payload: p as never, codeVersion: 'v1' })));
      const w = await runWorker({ storage: s, queue: q, kinds: ['map'], concurrency: 1, codeVersion: 'v1', checkpoints: new Map(), device: null, pollMs: 50, idleExitMs: 200 });
      expect(w.done).toBe(3);
      const jobs = await q.jobs({ kind: 'map' });
      for (const [i, j] of jobs.entries()) {
        const want = mapJob(payloads[i]!);
        if ('result' in want) expect(j.result).toEqual(want.result);
        else expect(j.error).toBe(want.error);
      }
      expect(jobs[2]!.error).toMatch(/no-such-preset/);
    } finally {
      await s.close();
      await dropPgSchema(url);
    }
  });

  it('nas hw map --db postgres://… maps a workload’s layers as jobs: a worker’s results, reused when asked again', async () => {
    const url = freshPgUrl('hwmap');
    const dir = mkdtempSync(join(tmpdir(), 'nas-hwmap-'));
    const file = join(dir, 'layers.json');
    writeFileSync(file, JSON.stringify([LAYER, { ...LAYER, name: 'conv-b', m: 16 }]));
    const s = await PgStorage.open(url);
    try {
      const q = await PgQueue.open(s);
      const ctl = new AbortController();
      const worker = runWorker({ storage: s, queue: q, kinds: ['map'], concurrency: 1, codeVersion: codeVersion(), checkpoints: new Map(), device: null, pollMs: 50, signal: ctl.signal });
      await new Promise((r) => setTimeout(r, 200));
      const first = await runCli('hw', 'map', '--db', url, '--preset', 'eyeriss', '--workload', file, '--evaluations', '300', '--local-slots', '0', '--json');
      expect(first.code, first.stderr).toBe(0);
      const rows = JSON.parse(first.stdout) as { layer: string; cycles: number; energyPj: number; by: string }[];
      expect(rows.map((r) => r.layer)).toEqual(['conv3x3', 'conv-b']);
      const want = mapJob({ preset: 'eyeriss', layer: LAYER, objective: 'edp', seed: 1, maxEvaluations: 300 });
      expect(rows[0]).toMatchObject({ cycles: (want as { result: { cycles: number } }).result.cycles, by: hostname() });
      ctl.abort();
      await worker;
      // the same request again: answered from the stored jobs, nothing new queued or evaluated
      const again = await runCli('hw', 'map', '--db', url, '--preset', 'eyeriss', '--workload', file, '--evaluations', '300', '--json');
      expect(JSON.parse(again.stdout)).toEqual(rows);
      expect((await q.jobs({ kind: 'map' })).length).toBe(2);
      const text = await runCli('hw', 'map', '--db', url, '--preset', 'eyeriss', '--workload', file, '--evaluations', '300');
      expect(text.stdout).toMatch(/LAYER\s+CYCLES/);
    } finally {
      await s.close();
      await dropPgSchema(url);
    }
  });
});
