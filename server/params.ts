/**
 * zod schemas for every path parameter, query string and body the API accepts. Query strings are
 * strict (an unknown or repeated key is a 400 naming it) so typos do not silently change results.
 */
import { z } from 'zod';
import { TRIAL_STATES, type TrialState } from '../storage/types.ts';

const MAX_ID = 2 ** 31 - 1;

export const idParam = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'must be a positive integer id')
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_ID, 'must be between 1 and 2^31-1');

const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, 'must be a non-negative integer')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

export const OBJECTIVE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
const metricName = z.string().regex(OBJECTIVE_NAME, 'must be an objective name (letters, digits, _ and .)');

const states = z.enum(TRIAL_STATES as [TrialState, ...TrialState[]]);
const bool = z.enum(['true', 'false']).transform((s) => s === 'true');
/** JSON column → [min, max] or [values…]; parsed by server/filter.ts so errors name the column. */
const filterText = z.string().max(4000, 'must be at most 4000 characters');

export const trialsQuery = z.strictObject({
  state: states.optional(),
  feasible: bool.optional(),
  /** Only trials on the Pareto front over all objectives. */
  front: bool.optional(),
  filter: filterText.optional(),
  sort: z.union([z.enum(['id', 'number', 'state', 'createdAt', 'finishedAt']), metricName]).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: intString(1, 1000).optional(),
  offset: intString(0, 1_000_000_000).optional(),
});
export type TrialsQuery = z.infer<typeof trialsQuery>;

export const downloadQuery = z.strictObject({
  format: z.enum(['csv', 'json']),
  state: states.optional(),
  feasible: bool.optional(),
  front: bool.optional(),
  filter: filterText.optional(),
});

export const compareQuery = z.strictObject({
  ids: z
    .string()
    .regex(/^[0-9]{1,10}(,[0-9]{1,10}){1,7}$/, 'must be 2 to 8 comma-separated experiment ids')
    .transform((s) => s.split(',').map(Number))
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
});

export const eventsQuery = z.strictObject({
  /** Replay events after this id; 'latest' = only new ones. */
  after: z.union([z.literal('latest'), intString(0, Number.MAX_SAFE_INTEGER)]).optional(),
  experimentId: idParam.optional(),
});

export const emptyQuery = z.strictObject({});

export const EXPORT_FORMATS = ['tfjs', 'onnx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const exportBody = z.strictObject({
  formats: z.array(z.enum(EXPORT_FORMATS)).min(1).max(3).optional(),
});

/** The query object without the access token, which the auth middleware already consumed. */
export function queryOf(q: unknown): Record<string, unknown> {
  const { token: _token, ...rest } = (q ?? {}) as Record<string, unknown>;
  return rest;
}
