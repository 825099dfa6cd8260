/**
 * Edge validation shared by every Storage implementation, so both reject the same inputs with the
 * same ConfigError (field path + offending value). Returns normalized inputs (defaults filled in).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import type {
  FailedOutcome, FinishedOutcome, LutEntryInput, LutProvenance, NewCheckpoint, NewEvent, NewExperiment,
  NewPredictor, NewTrial, TrialOutcome, TrialQuery, TrialSortKey, TrialState,
} from './types.ts';
import { EXPERIMENT_STATUSES, TRIAL_STATES } from './types.ts';

/** Throws ConfigError at the first value that JSON cannot represent faithfully (NaN, undefined, cycles, class instances…). */
export function assertJson(value: unknown, field: string, seen: Set<object> = new Set()): asserts value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(field, value, 'must be a finite number (JSON has no NaN/Infinity)');
    return;
  }
  if (typeof value !== 'object') throw new ConfigError(field, String(value), `is not JSON-serializable (${typeof value})`);
  if (seen.has(value)) throw new ConfigError(field, '[circular]', 'contains a circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJson(v, `${field}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new ConfigError(field, Object.prototype.toString.call(value), 'must be a plain JSON object');
    }
    for (const [k, v] of Object.entries(value)) assertJson(v, `${field}.${k}`, seen);
  }
  seen.delete(value);
}

/**
 * What `assertJson` accepts, returned as a deeply frozen copy equal to `JSON.parse(JSON.stringify(value))`
 * (array holes become null, -0 becomes 0), in one walk: the memory store's copy of every trial,
 * where validating, round-tripping and freezing separately were three walks per record. The walk
 * builds no field paths; on a bad value `assertJson` runs again to name the field.
 */
export function frozenJson<T extends Json>(value: T, field: string): T {
  const copy = copyJson(value, 0);
  if (copy === BAD) {
    assertJson(value, field);
    throw new ConfigError(field, '[value]', `nests deeper than ${MAX_DEPTH} levels`);
  }
  return copy as T;
}

const BAD = Symbol('bad');
/** Cycles are caught by depth rather than a set of visited objects (cheaper per node). */
const MAX_DEPTH = 1000;

function copyJson(value: unknown, depth: number): Json | typeof BAD {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? (value === 0 ? 0 : value) : BAD;
  if (typeof value !== 'object' || depth > MAX_DEPTH) return BAD;
  let out: Json[] | Record<string, Json>;
  if (Array.isArray(value)) {
    const a: Json[] = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = i in value ? copyJson(value[i], depth + 1) : null;
      if (v === BAD) return BAD;
      a[i] = v;
    }
    out = a;
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return BAD;
    const o: Record<string, Json> = {};
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = copyJson((value as Record<string, unknown>)[k], depth + 1);
      if (v === BAD) return BAD;
      // JSON.parse makes '__proto__' an own property; plain assignment would set the prototype instead.
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
    out = o;
  }
  return Object.freeze(out);
}

export function assertJsonObject(value: unknown, field: string): asserts value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(field, value, 'must be a JSON object');
  }
  assertJson(value, field);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let at: unknown = value;
  for (const k of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  const field = [root, ...issue.path.map(String)].filter((s) => s !== '').join('.');
  throw new ConfigError(field || root, at, issue.message);
}

const name = (max: number) => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, . _ : - (starting with a letter or digit)').max(max);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNeg = finite.refine((v) => v >= 0, 'must be >= 0');
const id = z.number().int().positive();
const text = (max: number) => z.string().min(1).max(max);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const metricName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be an identifier').max(64);

export const experimentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, . _ - (starting with a letter or digit)');

const objectivesSchema = z
  .array(z.object({ name: metricName, unit: z.string().max(32), direction: z.enum(['min', 'max']) }))
  .min(1)
  .refine((os) => new Set(os.map((o) => o.name)).size === os.length, 'objective names must be unique');

export function checkId(value: unknown, field: string): number {
  return parse(id, value, field);
}

export function checkExperiment(input: NewExperiment): NewExperiment {
  const shape = z.object({
    name: experimentName,
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    space: name(64),
    objectives: objectivesSchema,
  });
  const ok = parse(shape, input, 'experiment');
  assertJson(input.config, 'experiment.config');
  return { ...ok, config: input.config };
}

export const checkStatus = (value: unknown) => parse(z.enum(EXPERIMENT_STATUSES as [string, ...string[]]), value, 'status') as (typeof EXPERIMENT_STATUSES)[number];

// Schemas used once per trial are built once: a zod schema compiles on first use, so a fresh one
// per call made validation the largest per-trial cost of a fast search.
const newTrialSchema = z.object({ experimentId: id, key: z.string().min(1).max(2000).nullish() });

export function checkNewTrial(input: NewTrial, field = 'trial'): Required<NewTrial> {
  parse(newTrialSchema, input, field);
  assertJsonObject(input.arch, `${field}.arch`);
  if (input.hw != null) assertJsonObject(input.hw, `${field}.hw`);
  return { experimentId: input.experimentId, arch: input.arch, hw: input.hw ?? null, key: input.key ?? null };
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
  return { experimentId: input.experimentId, arch: object(input.arch, `${field}.arch`), hw: input.hw == null ? null : object(input.hw, `${field}.hw`), key: input.key ?? null };
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

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

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

const eventSchema = z.object({ experimentId: id.nullish(), type: text(64) });

export function checkEvent(e: NewEvent): Required<NewEvent> {
  parse(eventSchema, e, 'event');
  assertJson(e.payload, 'event.payload');
  return { experimentId: e.experimentId ?? null, type: e.type, payload: e.payload };
}

const provenanceShape = {
  backend: text(64),
  tfjsVersion: text(64),
  cpuModel: text(256),
  threads: z.number().int().min(1).max(4096),
  batchSize: z.number().int().min(1).max(1_000_000),
};

export function checkProvenance(p: LutProvenance): LutProvenance {
  return parse(z.object(provenanceShape), p, 'provenance');
}

export function checkProvenanceFilter(p: Partial<LutProvenance> = {}): Partial<LutProvenance> {
  return parse(z.object(provenanceShape).partial(), p, 'filter');
}

export function checkLutEntry(e: LutEntryInput, i: number, now: string): LutEntryInput & { measuredAt: string } {
  const r = parse(
    z.object({
      ...provenanceShape,
      key: text(2000),
      medianMs: nonNeg,
      meanMs: nonNeg,
      stdMs: nonNeg,
      spreadMs: nonNeg,
      count: z.number().int().min(1),
      measuredAt: z.iso.datetime().optional(),
    }),
    e,
    `entries[${i}]`,
  );
  return { ...r, measuredAt: r.measuredAt ?? now };
}

export function checkPredictor(p: NewPredictor): { kind: string; metadata: Json; blob: Uint8Array | null; path: string | null; sha256: string | null } {
  const r = parse(
    z.object({
      kind: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/i, 'must be an identifier (letters, digits, _ -)'),
      blob: z.instanceof(Uint8Array).nullish(),
      path: text(4096).nullish(),
      sha256: sha256.nullish(),
    }),
    p,
    'predictor',
  );
  if ((r.blob == null) === (r.path == null)) {
    throw new ConfigError('predictor.blob', r.blob == null ? null : `${r.blob.length} bytes`, 'give exactly one of blob and path');
  }
  assertJson(p.metadata, 'predictor.metadata');
  return { kind: r.kind, metadata: p.metadata, blob: r.blob ? new Uint8Array(r.blob) : null, path: r.path ?? null, sha256: r.sha256 ?? null };
}

export function checkCheckpoint(c: NewCheckpoint): Required<NewCheckpoint> {
  const fraction = finite.refine((v) => v >= 0 && v <= 1, 'must be a fraction in [0, 1]');
  const r = parse(
    z.object({ path: text(4096), sha256, dataset: text(128), epochs: nonNeg, accuracyLargest: fraction, accuracySmallest: fraction }),
    c,
    'checkpoint',
  );
  const metadata = c.metadata ?? null;
  assertJson(metadata, 'checkpoint.metadata');
  return { ...r, metadata };
}

export function checkEventsQuery(afterId: number, options: { experimentId?: number; limit?: number }): { after: number; limit: number } {
  if (!Number.isInteger(afterId) || afterId < 0) throw new ConfigError('afterId', afterId, 'must be an integer >= 0');
  if (options.experimentId !== undefined) checkId(options.experimentId, 'experimentId');
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ConfigError('limit', limit, 'must be an integer in [1, 10000]');
  return { after: afterId, limit };
}
