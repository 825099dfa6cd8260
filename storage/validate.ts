/**
 * Edge validation shared by every Storage implementation, so both reject the same inputs with the
 * same ConfigError (field path + offending value). Returns normalized inputs (defaults filled in).
 * This module holds the checks of experiments, events, steps and artifacts (LUT entries,
 * predictors, checkpoints) and re-exports the JSON (validate-json.ts), field (validate-fields.ts)
 * and trial (validate-trials.ts) checks, so storage code imports every check from here.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { LutEntryInput, LutProvenance, NewCheckpoint, NewEvent, NewExperiment, NewPredictor, StepInput } from './types.ts';
import { EXPERIMENT_STATUSES } from './types.ts';
import { checkId, finite, id, metricName, name, nonNeg, parse, sha256, text } from './validate-fields.ts';
import { assertJson } from './validate-json.ts';
import { checkOutcome, type NormalOutcome } from './validate-trials.ts';

export { checkId } from './validate-fields.ts';
export { assertJson, assertJsonObject, frozenJson } from './validate-json.ts';
export { checkNewTrial, checkNewTrialCopy, checkOutcome, checkQuery, type NormalOutcome, type NormalQuery } from './validate-trials.ts';

export const experimentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, . _ - (starting with a letter or digit)');

const objectivesSchema = z
  .array(z.object({ name: metricName, unit: z.string().max(32), direction: z.enum(['min', 'max']) }))
  .min(1)
  .refine((os) => new Set(os.map((o) => o.name)).size === os.length, 'objective names must be unique');

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

const eventSchema = z.object({ experimentId: id.nullish(), type: text(64) });

export function checkEvent(e: NewEvent): Required<NewEvent> {
  parse(eventSchema, e, 'event');
  assertJson(e.payload, 'event.payload');
  return { experimentId: e.experimentId ?? null, type: e.type, payload: e.payload };
}

/**
 * The parts of a step both stores check before touching anything, in this order: experiment id,
 * snapshot (through `snapshot`: a plain check, or the memory store's frozen copy), events, outcomes.
 * Trial items are checked against the stored trials by each store.
 */
export function checkStepInput(input: StepInput, snapshot: (value: Json, field: string) => Json): { experimentId: number; snapshot: Json; events: Required<NewEvent>[]; outcomes: NormalOutcome[] } {
  const experimentId = checkId(input?.experimentId, 'step.experimentId');
  const state = snapshot(input.snapshot, 'step.snapshot');
  const events = (input.events ?? []).map((e) => checkEvent(e));
  const outcomes = input.trials.map((t, i) => checkOutcome(t.outcome, `step.trials[${i}].outcome`));
  return { experimentId, snapshot: state, events, outcomes };
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
  // one spelling of the instant (milliseconds, Z) whatever the store keeps: text or a timestamp column
  return { ...r, measuredAt: r.measuredAt === undefined ? now : new Date(r.measuredAt).toISOString() };
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
