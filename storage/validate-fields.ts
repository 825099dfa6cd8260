/**
 * The zod side of storage validation: `parse` turns the first zod issue into a ConfigError naming
 * the field path and the offending value, and the field schemas the input checks are built from.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

export function parse<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let at: unknown = value;
  for (const k of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  const field = [root, ...issue.path.map(String)].filter((s) => s !== '').join('.');
  throw new ConfigError(field || root, at, issue.message);
}

export const name = (max: number) => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, . _ : - (starting with a letter or digit)').max(max);
export const finite = z.number().refine(Number.isFinite, 'must be a finite number');
export const nonNeg = finite.refine((v) => v >= 0, 'must be >= 0');
export const id = z.number().int().positive();
export const text = (max: number) => z.string().min(1).max(max);
export const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
export const metricName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be an identifier').max(64);

export function checkId(value: unknown, field: string): number {
  return parse(id, value, field);
}
