/**
 * Trial inputs at the storage edge: new trials, outcomes and list queries. These run once per trial
 * of a search, so plain-loop fast paths accept the common valid shapes and zod handles the rest
 * (and names the field of a bad value).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import type { FailedOutcome, FinishedOutcome, NewTrial, TrialOutcome, TrialQuery, TrialSortKey, TrialState } from './types.ts';
import { TRIAL_STATES } from './types.ts';
import { finite, id, metricName, nonNeg, parse, text } from './validate-fields.ts';
import { assertJsonObject, frozenJson, isPlain } from './validate-json.ts';

// Schemas used once per trial are built once: a zod schema compiles on first use, so a fresh one
// per call made validation the largest per-trial cost of a fast search.
const newTrialSchema = z.object({ experimentId: id, key: z.string().min(1).max(2000).nullish() });

export function checkNewTrial(input: NewTrial, field = 'trial'): Required<NewTrial> {
  parse(newTrialSchema, input, field);
  assertJsonObject(input.arch, `${field}.arch`);
  if (input.hw != null) assertJsonObject(input.hw, `${field}.hw`);
  if (input.predicted != null) assertJsonObject(input.predicted, `${field}.predicted`);
  return { experimentId: input.experimentId, arch: input.arch, hw: input.hw ?? null, key: input.key ?? null, predicted: input.predicted ?? null };
}

/** `checkNewTrial` for stores that keep values in memory: arch and hw come back as frozen JSON copies. */
export function checkNewTrialCopy(input: NewTrial, field = 'trial'): Required<NewTrial> {
  const key = input?.key;
  const fast = isPlain(input) && Number.isSafeInteger(input.experimentId) && input.experimentId > 0 && (key == null || (typeof key === 'string' && key.length >= 1 && key.length <= 2000));
  if (!fast) parse(newTrialSchema, input, field);
  const object = (v: unknown, f: string) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(f, v, 'must be a JSON object');
    return frozenJson(v as JsonObject, f);
  };
  return {
    experimentId: input.experimentId, arch: object(input.arch, `${field}.arch`), hw: input.hw == null ? null : object(input.hw, `${field}.hw`), key: input.key ?? null,
    predicted: input.predicted == null ? null : object(input.predicted, `${field}.predicted`),
  };
}

const timingsSchema = z.record(metricName, nonNeg);
const metricsSchema = z.record(metricName, finite);
const finishedSchema = z.object({ metrics: metricsSchema, feasible: z.boolean().optional(), timings: timingsSchema.optional() });
const failedSchema = z.object({ error: text(100_000), timings: timingsSchema.optional() });

export type NormalOutcome =
  | (Required<Omit<FinishedOutcome, 'timings'>> & { timings: FinishedOutcome['timings'] | null })
  | (Omit<FailedOutcome, 'timings'> & { timings: FailedOutcome['timings'] | null });

// Fast paths for the per-trial checks: plain loops accept what the zod schemas accept (or less);
// anything they do not accept goes through zod, which throws the same error as before.
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function isNumberRecord(v: unknown, nonNegative: boolean): v is Record<string, number> {
  if (!isPlain(v)) return false;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (k.length > 64 || !METRIC_NAME.test(k) || typeof x !== 'number' || !Number.isFinite(x) || (nonNegative && x < 0)) return false;
  }
  return true;
}

function fastOutcome(o: TrialOutcome): NormalOutcome | null {
  const timings = o.timings === undefined ? null : isNumberRecord(o.timings, true) ? o.timings : undefined;
  if (timings === undefined) return null;
  if (o.state === 'finished') {
    if (!isNumberRecord(o.metrics, false) || (o.feasible !== undefined && typeof o.feasible !== 'boolean')) return null;
    return { state: 'finished', metrics: o.metrics, feasible: o.feasible ?? true, timings };
  }
  if (typeof o.error !== 'string' || o.error.length < 1 || o.error.length > 100_000) return null;
  return { state: 'failed', error: o.error, timings };
}

export function checkOutcome(o: TrialOutcome, field = 'outcome'): NormalOutcome {
  if (isPlain(o) && (o.state === 'finished' || o.state === 'failed')) {
    const fast = fastOutcome(o);
    if (fast) return fast;
  }
  if (o?.state === 'finished') {
    const r = parse(finishedSchema, o, field);
    return { state: 'finished', metrics: r.metrics, feasible: r.feasible ?? true, timings: r.timings ?? null };
  }
  if (o?.state === 'failed') {
    const r = parse(failedSchema, o, field);
    return { state: 'failed', error: r.error, timings: r.timings ?? null };
  }
  throw new ConfigError(`${field}.state`, (o as { state?: unknown } | undefined)?.state, "must be 'finished' or 'failed'");
}

export interface NormalQuery {
  experimentId: number | null;
  states: readonly TrialState[] | null;
  feasible: boolean | null;
  sort: TrialSortKey;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const querySchema = z.object({
  experimentId: id.optional(),
  state: z.union([z.enum(TRIAL_STATES as [TrialState, ...TrialState[]]), z.array(z.enum(TRIAL_STATES as [TrialState, ...TrialState[]]))]).optional(),
  feasible: z.boolean().optional(),
  sort: z.string().regex(/^(id|number|state|createdAt|finishedAt|metric:[A-Za-z_][A-Za-z0-9_.]{0,63})$/, 'must be id, number, state, createdAt, finishedAt or metric:NAME').optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  offset: z.number().int().min(0).optional(),
});

export function checkQuery(q: TrialQuery = {}): NormalQuery {
  const r = parse(querySchema, q, 'query');
  const states = r.state === undefined ? null : typeof r.state === 'string' ? [r.state] : r.state;
  return {
    experimentId: r.experimentId ?? null,
    states,
    feasible: r.feasible ?? null,
    sort: (r.sort ?? 'id') as TrialSortKey,
    order: r.order ?? 'asc',
    limit: r.limit ?? 100,
    offset: r.offset ?? 0,
  };
}
