/**
 * A LUT build split into jobs pinned to a device label, so a user builds the latency table of a
 * target machine by running `nas worker --kinds lut --device LABEL` there: the space's units in
 * chunks, each job timing its chunk on whichever worker carries the label and storing the entries
 * under that machine's own provenance (entries already measured there are skipped).
 */
import type { JsonObject } from '../core/types.ts';
import { spaceUnits } from '../estimators/lut/coverage.ts';
import type { LatencyClock } from '../estimators/lut/timing.ts';
import { createSpace } from '../search-space/registry.ts';
import type { LutPayload } from './handlers.ts';
import type { PgQueue } from './queue.ts';

export interface LutJobOptions {
  readonly space: string;
  readonly spaceConfig?: JsonObject;
  readonly device: string;
  readonly batch: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly seed: number;
  readonly clock: LatencyClock;
  readonly codeVersion: string;
  /** Units per job; default 16. */
  readonly chunk?: number;
}

/** Enqueues the jobs (keys `lut/<device>/<space>/b<batch>/<clock>/<i>`, so re-issuing is idempotent); returns how many. */
export async function enqueueLutJobs(queue: PgQueue, o: LutJobOptions): Promise<{ jobs: number; units: number }> {
  const keys = spaceUnits(createSpace(o.space, o.spaceConfig), o.batch).map((u) => u.key);
  const chunk = o.chunk ?? 16;
  const jobs = [];
  for (let i = 0; i * chunk < keys.length; i++) {
    const payload: LutPayload = {
      space: o.space, ...(o.spaceConfig ? { spaceConfig: o.spaceConfig } : {}), keys: keys.slice(i * chunk, (i + 1) * chunk),
      batch: o.batch, repeats: o.repeats, warmup: o.warmup, seed: o.seed, clock: o.clock,
    };
    jobs.push({ key: `lut/${o.device}/${o.space}/b${o.batch}/${o.clock}/${i}`, kind: 'lut' as const, payload: payload as never, codeVersion: o.codeVersion, device: o.device });
  }
  await queue.enqueue(jobs);
  return { jobs: jobs.length, units: keys.length };
}
