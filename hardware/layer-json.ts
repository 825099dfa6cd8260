/**
 * A workload given as JSON (`nas hw eval --workload net.json`): a list of LayerSpec (core/types.ts)
 * or `{ layers: [...] }`, validated field by field so a typo or a wrong kind is an error naming
 * `layers[i].field`, not a silently mis-costed layer.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';

const positive = z.number().int().positive();
const bits = z.number().int().min(1).max(32);
const layer = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['conv', 'depthwise', 'pointwise', 'fc', 'pool']),
  n: positive, c: positive, m: positive, h: positive, w: positive, p: positive, q: positive, r: positive, s: positive,
  stride: positive, groups: positive, padding: z.number().int().min(0),
  bits: z.strictObject({ weights: bits, inputs: bits, outputs: bits }),
  pool: z.enum(['avg', 'max']).optional(),
  residualFrom: z.string().optional(),
  density: z.strictObject({ inputs: z.number().gt(0).max(1).optional(), outputs: z.number().gt(0).max(1).optional() }).optional(),
  post: z.array(z.enum(['batchnorm', 'activation'])).optional(),
});
const workload = z.union([z.array(layer).min(1), z.strictObject({ layers: z.array(layer).min(1) })]);

export function parseLayerJson(doc: unknown, file: string): LayerSpec[] {
  const r = workload.safeParse(doc);
  if (r.success) return (Array.isArray(r.data) ? r.data : r.data.layers) as LayerSpec[];
  // report the issue of the list form when the document is a list, else of the {layers} form
  const issues = r.error.issues.flatMap((i) => (i.code === 'invalid_union' ? i.errors.flat() : [i]));
  const issue = issues.find((i) => (Array.isArray(doc) ? typeof i.path[0] === 'number' : i.path[0] === 'layers')) ?? issues[0];
  const path = (issue?.path ?? []).map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  const field = `--workload ${Array.isArray(doc) ? `layers${path}` : path.replace(/^\./, '') || 'layers'}`;
  throw new ConfigError(field, file, issue?.message ?? 'must be a LayerSpec list or {layers: [...]}');
}
