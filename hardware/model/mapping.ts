/**
 * A mapping in Timeloop's sense: per storage level (index 0 = innermost, as in ArchSpec.levels)
 * the temporal loops it iterates over its children's tiles (outermost first), the spatial loops
 * that fan out to its children (split over X/Y), and which data spaces it keeps.
 */
import { HardwareError } from '../../core/errors.ts';
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';

export interface Loop {
  readonly dim: number;
  readonly bound: number;
  /** Absent for temporal loops. */
  readonly spatial?: 'X' | 'Y';
}

export interface LevelMapping {
  /** Temporal loops outermost first, then spatial loops (fan-out below this level). */
  readonly loops: readonly Loop[];
  /** keep[t]: this level stores data space t. */
  readonly keep: readonly boolean[];
}

export interface Mapping {
  readonly levels: readonly LevelMapping[];
}

/** Product of loop bounds per dimension over the whole mapping (padded problem bounds). */
export function mappedBounds(p: Problem, m: Mapping): number[] {
  const b = new Array<number>(p.dims.length).fill(1);
  for (const lv of m.levels) for (const l of lv.loops) b[l.dim] = (b[l.dim] ?? 1) * l.bound;
  return b;
}

/** Checks structure, coverage (each dim's product ≥ its bound) and spatial fan-out limits. */
export function validateMapping(p: Problem, a: ArchSpec, m: Mapping): void {
  if (m.levels.length !== a.levels.length) {
    throw new HardwareError(`mapping has ${m.levels.length} levels, arch ${a.name} has ${a.levels.length}`, { field: 'mapping.levels', value: m.levels.length });
  }
  const b = mappedBounds(p, m);
  const short = p.dims.flatMap((d, i) => ((b[i] ?? 1) < (p.bounds[i] ?? 1) ? [`${d}=${b[i]} < problem bound ${p.bounds[i]}`] : []));
  if (short.length) throw new HardwareError(`mapping covers ${short.join(', ')}`, { field: 'mapping.factors', value: short });
  m.levels.forEach((lv, i) => {
    if (lv.keep.length !== p.dataSpaces.length) {
      throw new HardwareError(`mapping level ${i}: keep has ${lv.keep.length} entries, problem has ${p.dataSpaces.length} data spaces`, { field: `mapping.levels[${i}].keep`, value: lv.keep });
    }
    for (const l of lv.loops) {
      if (!Number.isInteger(l.bound) || l.bound < 1) {
        throw new HardwareError(`mapping level ${i}: loop bound must be a positive integer`, { field: `mapping.levels[${i}].loops`, value: l.bound });
      }
    }
  });
  const top = m.levels[m.levels.length - 1];
  if (top && top.keep.some((k) => !k)) {
    throw new HardwareError(`mapping: the backing store ${a.levels[a.levels.length - 1]?.name} must keep every data space`, { field: 'mapping.keep', value: top.keep });
  }
}

/** Human-readable loop nest in Timeloop's map.txt style (outermost level first). */
export function formatMapping(p: Problem, a: ArchSpec, m: Mapping): string {
  const out: string[] = [];
  let depth = 0;
  for (let i = m.levels.length - 1; i >= 0; i--) {
    const lv = m.levels[i] as LevelMapping;
    const kept = p.dataSpaces.filter((_d, t) => lv.keep[t]).map((d) => d.name).join(' ');
    out.push(`${a.levels[i]?.name ?? `L${i}`} [ ${kept} ]`);
    for (const l of lv.loops) {
      if (l.bound === 1) continue;
      out.push(`${'  '.repeat(++depth)}for ${p.dims[l.dim]} in [0:${l.bound})${l.spatial ? ` (Spatial-${l.spatial})` : ''}`);
    }
  }
  out.push(`${'  '.repeat(depth + 1)}<< Compute >>`);
  return out.join('\n');
}
