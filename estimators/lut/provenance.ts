/**
 * Where and how a latency measurement was taken. A LUT entry is only valid for the provenance it was
 * measured under (backend, tfjs version, CPU, threads, batch, clock), so every lookup filters on all
 * of it.
 *
 * The clock (timing.ts) has no column of its own in the `luts` table: it is stored as a suffix of the
 * backend column (`wasm+cpu`), so the table's primary key keeps CPU-clock and wall-clock entries apart
 * without a schema change. A backend without a suffix is a wall-clock entry: every LUT built before
 * the clock existed was timed on the wall clock.
 */
import { cpus } from 'node:os';
import { runtime } from '../../runtime/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import type { LutProvenance } from '../../core/lut.ts';
import { checkClock, DEFAULT_CLOCK, type LatencyClock } from './timing.ts';

export interface LatencyProvenance extends LutProvenance {
  /** Absent = wall (tables made before the clock was recorded, synthetic tables). */
  readonly clock?: LatencyClock;
}

const SUFFIX = '+';

export function clockOf(p: LatencyProvenance): LatencyClock {
  return p.clock ?? 'wall';
}

/** The provenance columns as stored: the clock folded into `backend` (wall keeps the plain name). */
export function storedProvenance(p: LatencyProvenance): LutProvenance {
  const clock = clockOf(p);
  return { backend: clock === 'wall' ? p.backend : `${p.backend}${SUFFIX}${clock}`, tfjsVersion: p.tfjsVersion, cpuModel: p.cpuModel, threads: p.threads, batchSize: p.batchSize };
}

/** Inverse of storedProvenance; throws ConfigError naming the column for an unknown clock suffix. */
export function parseStoredProvenance(p: LutProvenance): LatencyProvenance & { clock: LatencyClock } {
  const at = p.backend.lastIndexOf(SUFFIX);
  const base = { tfjsVersion: p.tfjsVersion, cpuModel: p.cpuModel, threads: p.threads, batchSize: p.batchSize };
  if (at < 0) return { backend: p.backend, ...base, clock: 'wall' };
  return { backend: p.backend.slice(0, at), ...base, clock: checkClock(p.backend.slice(at + 1), 'luts.backend clock suffix') };
}

/** Threads the backend computes with: tfjs-node's TensorFlow uses one intra-op thread per core; the
 * wasm build loaded in Node is the single-threaded one (no SharedArrayBuffer worker pool); cpu is JS. */
export function backendThreads(backend: string): number {
  return backend === 'tensorflow' ? cpus().length : 1;
}

export function currentProvenance(batchSize: number, clock: LatencyClock = DEFAULT_CLOCK): LatencyProvenance & { clock: LatencyClock } {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError('batch', batchSize, 'must be a positive integer');
  const rt = runtime();
  const threads = backendThreads(rt.backend);
  // Process CPU time is one thread's time only when the backend computes on the calling thread.
  if (clock === 'cpu' && threads > 1) {
    throw new ConfigError('clock', clock, `the ${rt.backend} backend computes on ${threads} threads, so process CPU time is not its latency: use --clock wall`);
  }
  return { backend: rt.backend, tfjsVersion: rt.tfjsVersion, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', threads, batchSize, clock: checkClock(clock) };
}

/** Refuses to compare timings of one clock with a table or model timed on another. */
export function assertSameClock(what: string, theirs: LatencyClock, ours: LatencyClock): void {
  if (theirs !== ours) {
    throw new ConfigError(
      'clock',
      ours,
      `${what} was timed on the ${theirs} clock; timings on the ${ours} clock cannot be mixed with it (use --clock ${theirs}, or rebuild with --clock ${ours})`,
    );
  }
}
