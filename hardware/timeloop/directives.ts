/**
 * The two value syntaxes Timeloop's mapping and constraint directives share: factor lists
 * (`R=1 S=0 P<=7`, `K16 R3`, `[R=1, S=1]`) and permutations (`PRK`, `[N, C, P]`,
 * `N C P`), both read the way Timeloop and timeloopfe read them.
 */
import { HardwareError } from '../../core/errors.ts';
import type { FactorOp, FactorRule } from '../mapspace/constraints.ts';

function fail(where: string, value: unknown, problem: string): never {
  throw new HardwareError(`${where} ${problem} (got ${JSON.stringify(value)})`, { field: where, value });
}

/**
 * Factors as rules. `=` is the only operator a mapping may use (`ops: 'eq'`); constraints also take
 * `<=` and `>=` (timeloopfe). A bare `K16` means `K=16`, as in the map.yaml files Timeloop writes.
 */
export function parseFactorList(raw: unknown, where: string, ops: 'eq' | 'all' = 'all'): FactorRule[] {
  if (raw === undefined || raw === null) return [];
  let items: string[];
  if (Array.isArray(raw)) items = raw.map((x) => String(x));
  else if (typeof raw === 'string') items = raw.split(/[\s,]+/);
  else fail(where, raw, 'must be a string like "R=1 S=3" or a list of "R=1" items');
  const out: FactorRule[] = [];
  for (const item of items.map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z_]+)\s*(<=|>=|=)?\s*(\d+)$/.exec(item);
    if (!m?.[1] || !m[3]) fail(where, item, 'must look like R=3, R<=3 or R>=3 (a dimension name and a whole number)');
    const op = (m[2] ?? '=') as FactorOp;
    if (ops === 'eq' && op !== '=') fail(where, item, 'must fix the factor with "=" (a mapping has exact loop bounds)');
    const value = Number(m[3]);
    if (op !== '=' && value < 1) fail(where, item, 'needs a bound ≥ 1');
    if (out.some((r) => r.dim === m[1] && r.op === op && r.value !== value)) fail(where, item, `gives ${m[1]} twice with different values`);
    out.push({ dim: m[1], op, value });
  }
  return out;
}

/** Dimension names innermost first: a list, a space/comma-separated string, or one letter per dimension. */
export function parsePermutationList(raw: unknown, where: string): string[] {
  if (raw === undefined || raw === null) return [];
  let items: string[];
  if (Array.isArray(raw)) items = raw.map((x) => String(x).trim());
  else if (typeof raw === 'string') items = /[\s,]/.test(raw.trim()) ? raw.split(/[\s,]+/) : raw.trim().split('');
  else fail(where, raw, 'must be a list of dimension names or a string like "RPK"');
  items = items.filter((s) => s !== '');
  for (const d of items) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(d)) fail(where, d, 'is not a dimension name');
  const dup = items.find((d, i) => items.indexOf(d) !== i);
  if (dup !== undefined) fail(where, dup, 'appears twice in the permutation');
  return items;
}
