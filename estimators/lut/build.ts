/**
 * Building the latency lookup table: time every distinct unit of a space on the active backend and
 * store each entry with its provenance. Entries already stored under the same provenance are kept,
 * so an interrupted build resumes where it stopped and a rebuild measures only what is missing.
 * Entries are written in small batches so a crash loses at most one batch of measurements.
 * The clock is part of the provenance (provenance.ts): a CPU-clock build does not reuse wall-clock
 * entries, and vice versa. Entries go through the two-call LutStore port, never a whole Storage.
 */
import { Rng } from '../../core/rng.ts';
import type { Arch } from '../../core/types.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { noProgress } from '../../core/progress.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import type { LutEntryInput, LutProvenance } from '../../core/lut.ts';
import { spaceUnits } from './coverage.ts';
import { compileUnits } from './executor.ts';
import { currentProvenance, storedProvenance, type LatencyProvenance } from './provenance.ts';
import { checkTiming, timeChain, type TimingOptions } from './timing.ts';

export interface LutBuildOptions extends TimingOptions {
  readonly batch?: number;
  readonly seed?: number;
  readonly progress?: ProgressFn;
  /** Stop early (Ctrl-C): entries measured so far are kept. */
  readonly signal?: AbortSignal;
  /** Entries per database write. */
  readonly flushEvery?: number;
  /** Only these unit keys of the space (a LUT job's share of a distributed build); default all. */
  readonly keys?: readonly string[];
}

/** Where a build reads what is already measured and writes new entries (a Storage is one). */
export interface LutStore {
  /** The given keys not yet measured under exactly this provenance, in input order. */
  missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]>;
  upsertLutEntries(entries: readonly LutEntryInput[]): Promise<unknown>;
}

export interface LutBuildResult {
  readonly provenance: LatencyProvenance;
  readonly units: number;
  readonly alreadyStored: number;
  readonly measured: number;
  readonly aborted: boolean;
}

export async function buildLut(storage: LutStore, space: NetworkSpace<Arch>, options: LutBuildOptions = {}): Promise<LutBuildResult> {
  const timing = checkTiming(options);
  const provenance = currentProvenance(options.batch ?? 1, timing.clock);
  const stored = storedProvenance(provenance);
  const progress = options.progress ?? noProgress;
  const only = options.keys ? new Set(options.keys) : null;
  const units = spaceUnits(space, provenance.batchSize).filter((u) => only === null || only.has(u.key));
  const missing = new Set(await storage.missingLutKeys(stored, units.map((u) => u.key)));
  const todo = units.filter((u) => missing.has(u.key));
  const rng = new Rng(options.seed ?? 0).fork('lut');
  const pending: LutEntryInput[] = [];
  const flush = async () => {
    if (pending.length > 0) await storage.upsertLutEntries(pending.splice(0));
  };
  let measured = 0;
  for (const unit of todo) {
    if (options.signal?.aborted) break;
    const chain = compileUnits([unit], rng.fork(unit.key));
    try {
      const s = timeChain(chain, rng.fork(`x/${unit.key}`), timing);
      // medianMs holds the clock's figure (the minimum on the CPU clock): every reader of the table
      // (LUT sum, compiled LUT, relaxed costs) reads that one column.
      pending.push({ ...stored, key: unit.key, medianMs: s.figure, meanMs: s.mean, stdMs: s.std, spreadMs: s.iqr, count: s.count });
    } finally {
      chain.dispose();
    }
    measured++;
    if (pending.length >= (options.flushEvery ?? 25)) await flush();
    progress({ phase: 'lut', done: measured, total: todo.length, fields: { entries: units.length - todo.length + measured } });
  }
  await flush();
  return { provenance, units: units.length, alreadyStored: units.length - todo.length, measured, aborted: options.signal?.aborted ?? false };
}
