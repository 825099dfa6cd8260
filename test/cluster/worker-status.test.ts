/**
 * What `nas workers ls` and the UI's workers panel read: job keys parsed back into experiment/step/
 * index, LUT device and mapping layer; per worker results written and evaluation errors among them,
 * busy/idle/gone; the queue depth per kind and state.
 */
import { describe, expect, it } from 'vitest';
import { jobRef } from '../../cluster/job-key.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { listWorkers, registerWorker, stopWorker } from '../../cluster/workers.ts';
import { PgStorage } from '../../storage/pg.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';

describe('jobRef', () => {
  it('reads the keys the issuers build, and leaves other shapes bare', () => {
    expect(jobRef('eval/12/3/7')).toEqual({ key: 'eval/12/3/7', kind: 'eval', experimentId: 12, step: 3, index: 7 });
    expect(jobRef('lut/pi4/mbconv/b1/wall/5')).toEqual({ key: 'lut/pi4/mbconv/b1/wall/5', kind: 'lut', device: 'pi4', space: 'mbconv', index: 5 });
    expect(jobRef('map/0123abcd/2')).toEqual({ key: 'map/0123abcd/2', kind: 'map', request: '0123abcd', layer: 2 });
    for (const k of ['eval/x/1/2', 'eval/1/2', 'lut/pi4/5', 'map/a/b', 'other', '']) expect(jobRef(k)).toEqual({ key: k, kind: 'other' });
  });
});

describe.skipIf(!PG_URL)(PG_URL ? 'worker status' : `worker status (skipped: ${PG_SKIP})`, () => {
  it('counts results and errors per worker, shows busy, idle and gone, and the depth per kind', async () => {
    const url = freshPgUrl('wstat');
    const s = await PgStorage.open(url);
    try {
      const q = await PgQueue.open(s);
      const exp = await s.createExperiment({ name: 'e', config: {}, seed: 1, space: 'mbconv', objectives: [{ name: 'a', unit: '', direction: 'max' }] });
      const caps = { kinds: ['eval' as const], codeVersion: 'v1', checkpoints: [], device: null };
      await registerWorker(q, { id: 'w1', host: 'h1', pid: 1, backend: 'cpu', concurrency: 2, ...caps });
      await q.enqueue([0, 1, 2].map((i) => ({ key: `eval/${exp.id}/0/${i}`, kind: 'eval' as const, experimentId: exp.id, step: 0, index: i, payload: { i }, codeVersion: 'v1' })));
      await q.enqueue([{ key: 'map/abc/0', kind: 'map', index: 0, payload: {}, codeVersion: 'v1' }]);
      const [a, b] = await q.claim('w1', caps, 2, 60_000);
      let [w] = await listWorkers(q);
      expect(w).toMatchObject({ activity: 'busy', currentJobs: [`eval/${exp.id}/0/0`, `eval/${exp.id}/0/1`], done: 0, failed: 0 });
      expect(w!.jobs[1]).toEqual({ key: `eval/${exp.id}/0/1`, kind: 'eval', experimentId: exp.id, step: 0, index: 1 });
      expect(await q.countsByKind()).toEqual({
        eval: { queued: 1, running: 2, done: 0, failed: 0 }, lut: { queued: 0, running: 0, done: 0, failed: 0 }, map: { queued: 1, running: 0, done: 0, failed: 0 },
      });
      expect(await q.complete(a!.id, 'w1', { result: { ok: 1 } }, {})).toBe(true);
      expect(await q.complete(b!.id, 'w1', { error: 'ArchError: no such block' }, {})).toBe(true);
      // a late second write of the same job counts nothing
      expect(await q.complete(b!.id, 'w1', { error: 'again' }, {})).toBe(false);
      [w] = await listWorkers(q);
      expect(w).toMatchObject({ activity: 'idle', state: 'live', currentJobs: [], jobs: [], done: 2, failed: 1 });
      expect((await q.countsByKind()).eval).toEqual({ queued: 1, running: 0, done: 2, failed: 0 });
      await stopWorker(q, 'w1');
      [w] = await listWorkers(q);
      expect(w).toMatchObject({ activity: 'gone', state: 'stopped' });
    } finally {
      await s.close();
      await dropPgSchema(url);
    }
  });
});
