/**
 * A workload given as JSON (`nas hw eval --workload net.json`): a list of LayerSpec (core/types.ts)
 * or `{ layers: [...] }`, validated field by field so a typo or a wrong kind is an error naming
 * `layers[i].field` (exit 3), and shape by shape so fields that disagree are an invalid
 * architecture naming the field (exit 4), not a silently mis-costed layer.
 */
import { z } from 'zod';
import { ConfigError, InvalidArchError } from '../core/errors.ts';
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

/** Output size of a window: floor((input + 2·padding − kernel) / stride) + 1. */
const outSize = (input: number, kernel: number, stride: number, padding: number): number => Math.floor((input + 2 * padding - kernel) / stride) + 1;

/**
 * Fields that must agree with each other: p/q with h/w, r/s, stride and padding, and the groups
 * with the channels (a p of 112 where 56 follows would cost 4× the MACs without complaint).
 */
function checkShapes(layers: readonly LayerSpec[]): void {
  layers.forEach((l, i) => {
    const bad = (field: string, value: unknown, problem: string): never => { throw new InvalidArchError(`--workload layers[${i}].${field}`, value, `${problem} (layer ${l.name})`); };
    const p = outSize(l.h, l.r, l.stride, l.padding);
    const q = outSize(l.w, l.s, l.stride, l.padding);
    if (l.p !== p) bad('p', l.p, `must be floor((h + 2·padding − r) / stride) + 1 = ${p} for h=${l.h}, r=${l.r}, stride=${l.stride}, padding=${l.padding}`);
    if (l.q !== q) bad('q', l.q, `must be floor((w + 2·padding − s) / stride) + 1 = ${q} for w=${l.w}, s=${l.s}, stride=${l.stride}, padding=${l.padding}`);
    if (l.kind === 'depthwise' || l.kind === 'pool') {
      if (l.groups !== l.c) bad('groups', l.groups, `must equal c=${l.c} for a ${l.kind} layer`);
      if (l.kind === 'depthwise' && l.m % l.c !== 0) bad('m', l.m, `must be a multiple of c=${l.c} for a depthwise layer`);
    } else if (l.c % l.groups !== 0 || l.m % l.groups !== 0) {
      bad('groups', l.groups, `must divide c=${l.c} and m=${l.m}`);
    }
  });
}

export function parseLayerJson(doc: unknown, file: string): LayerSpec[] {
  const r = workload.safeParse(doc);
  if (r.success) {
    const layers = (Array.isArray(r.data) ? r.data : r.data.layers) as LayerSpec[];
    checkShapes(layers);
    return layers;
  }
  // report the issue of the list form when the document is a list, else of the {layers} form
  const issues = r.error.issues.flatMap((i) => (i.code === 'invalid_union' ? i.errors.flat() : [i]));
  const issue = issues.find((i) => (Array.isArray(doc) ? typeof i.path[0] === 'number' : i.path[0] === 'layers')) ?? issues[0];
  const path = (issue?.path ?? []).map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  const field = `--workload ${Array.isArray(doc) ? `layers${path}` : path.replace(/^\./, '') || 'layers'}`;
  throw new ConfigError(field, file, issue?.message ?? 'must be a LayerSpec list or {layers: [...]}');
}
