/** zod helpers shared by the space configs: choice lists and ConfigError with a field path. */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

/** A non-empty list of distinct choices. */
export function choices<S extends z.ZodType<number>>(item: S) {
  return z
    .array(item)
    .min(1, 'needs at least one choice')
    .refine((a) => new Set(a).size === a.length, 'choices must be distinct');
}

export const positiveInt = z.number().int().positive();
export const bitWidth = z.number().int().min(1).max(32);

export function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const part of path) s += typeof part === 'number' ? `[${part}]` : s ? `.${String(part)}` : String(part);
  return s;
}

/** Parses `input` with `schema`, turning the first zod issue into a ConfigError naming the field. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue ? fieldPath(issue.path) : '';
  let value: unknown = input;
  for (const part of issue?.path ?? []) value = (value as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new ConfigError(`${prefix}.${path ? `${path}.` : ''}${key}`, key, 'unknown field');
  }
  throw new ConfigError(path ? `${prefix}.${path}` : prefix, value, issue?.message ?? 'invalid');
}
