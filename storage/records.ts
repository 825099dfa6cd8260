/**
 * Helpers both Storage implementations share so their records, orderings and errors are identical:
 * deep freezing, a JSON round-trip copy (what SQLite's TEXT columns do to values), the trial
 * ordering rule (missing values last in both directions, ties by id ascending) and the errors of
 * the trial rules (completed trials are immutable, a step's trials belong to its experiment).
 */
import { ConfigError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { LutProvenance, TrialRecord, TrialSortKey } from './types.ts';
import type { NormalOutcome } from './validate.ts';

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const v of Object.values(value as object)) deepFreeze(v);
  return Object.freeze(value);
}

/** Copy through JSON so the memory store keeps exactly what SQLite would read back. */
export function jsonCopy<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export function sortValue(t: TrialRecord, key: TrialSortKey): number | string | null {
  switch (key) {
    case 'id': return t.id;
    case 'number': return t.number;
    case 'state': return t.state;
    case 'createdAt': return t.createdAt;
    case 'finishedAt': return t.finishedAt;
    default: return t.metrics?.[key.slice('metric:'.length)] ?? null;
  }
}

export function compareTrials(key: TrialSortKey, order: 'asc' | 'desc'): (a: TrialRecord, b: TrialRecord) => number {
  const sign = order === 'asc' ? 1 : -1;
  return (a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return (va < vb ? -1 : 1) * sign;
    }
    return a.id - b.id;
  };
}

/** The completion fields of a trial for an outcome (all null while running). */
export function completion(o: NormalOutcome | null, now: string): Pick<TrialRecord, 'metrics' | 'feasible' | 'timings' | 'error' | 'finishedAt'> {
  if (o === null) return { metrics: null, feasible: null, timings: null, error: null, finishedAt: null };
  const timings = o.timings === null ? null : { ...o.timings };
  if (o.state === 'finished') return { metrics: { ...o.metrics }, feasible: o.feasible, timings, error: null, finishedAt: now };
  return { metrics: null, feasible: null, timings, error: o.error, finishedAt: now };
}

/** Identity of a LUT entry: its provenance plus key. */
export function lutIdentity(e: LutProvenance & { key: string }): string {
  return JSON.stringify([e.backend, e.tfjsVersion, e.cpuModel, e.threads, e.batchSize, e.key]);
}

/** A second completion of a trial: `state` is its stored state, or 'completed in this step'. */
export function immutableTrial(location: string, trialId: number, state: string): StorageError {
  if (state === 'interrupted') return new StorageError(location, `trial ${trialId} is interrupted; a run takes it over (beginRun) before completing it`, { trialId });
  return new StorageError(location, `trial ${trialId} is already ${state}; finished trials are immutable`, { trialId });
}

/** Item i of a step completes a trial of another experiment. */
export function foreignTrial(i: number, trialId: number, owner: number, experimentId: number): ConfigError {
  return new ConfigError(`step.trials[${i}].trialId`, trialId, `belongs to experiment ${owner}, not ${experimentId}`);
}

/** Item i of a step inserts a trial into another experiment. */
export function foreignInsert(i: number, value: unknown, experimentId: number): ConfigError {
  return new ConfigError(`step.trials[${i}].experimentId`, value, `must equal step.experimentId ${experimentId}`);
}

/** A second experiment with the same name. */
export function duplicateExperiment(name: string): ConfigError {
  return new ConfigError('experiment.name', name, 'already exists');
}
