/**
 * The constraint validator: every way a mapping breaks the arch's mapspace constraints (factors,
 * permutations, spatial splits and axes, keep/bypass, minimum utilization), one message each,
 * plus the padding check (loop bounds whose product overshoots a problem dimension). Capacity,
 * instance and fan-out overflows are the model's own violations (analysis.ts).
 */
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import type { Loop, Mapping } from '../model/mapping.ts';
import { mappedBounds } from '../model/mapping.ts';
import { compileMapspace, type CompiledMapspace, type CompiledSpatial, type DimRule } from './compile.ts';

function checkRules(out: string[], p: Problem, where: string, rules: readonly DimRule[], loops: readonly Loop[]): void {
  const prod = p.dims.map(() => 1);
  for (const lp of loops) prod[lp.dim] = (prod[lp.dim] ?? 1) * lp.bound;
  rules.forEach((r, d) => {
    const v = prod[d] ?? 1;
    const n = p.dims[d];
    if (r.eq > 0 && v !== r.eq) out.push(`${where}: factor ${n}=${v} breaks ${n}=${r.eq}`);
    if (v > r.max) out.push(`${where}: factor ${n}=${v} breaks ${n}<=${r.max}`);
    if (v < r.min) out.push(`${where}: factor ${n}=${v} breaks ${n}>=${r.min}`);
  });
}

/** `order` lists dimensions innermost first: they must be the innermost non-unit loops, in that order. */
function checkOrder(out: string[], p: Problem, where: string, order: readonly number[], outerFirst: readonly Loop[]): void {
  if (order.length === 0) return;
  const seq = outerFirst.filter((l) => l.bound > 1).map((l) => l.dim).reverse();
  let pos = 0;
  let sawUnlisted = false;
  for (const d of seq) {
    const k = order.indexOf(d);
    if (k < 0) { sawUnlisted = true; continue; }
    if (sawUnlisted || k < pos) {
      const name = (xs: readonly number[]): string => xs.map((x) => p.dims[x]).join(' ');
      out.push(`${where}: loops ${name(seq)} (innermost first) break permutation ${name(order)}`);
      return;
    }
    pos = k;
  }
}

function checkSpatial(out: string[], p: Problem, sc: CompiledSpatial, loops: readonly Loop[]): void {
  const mine = loops.filter((l) => (l.spatial === 'X' ? sc.governsX : sc.governsY));
  checkRules(out, p, sc.where, sc.rules, mine);
  let freeOnX = 0;
  let freeOnY = 0;
  for (const l of mine) {
    if (l.bound <= 1) continue;
    const r = sc.rules[l.dim] as DimRule;
    if (r.eq === 1 || r.max <= 1) continue; // reported as a factor
    if (!(l.spatial === 'X' ? sc.allowX : sc.allowY)[l.dim]) {
      out.push(`${sc.where}: ${p.dims[l.dim]} fans out along ${l.spatial}, which its split / axis forbids`);
    }
    if (sc.free[l.dim]) { if (l.spatial === 'X') freeOnX++; else freeOnY++; }
  }
  if (sc.freeX !== undefined) {
    const nFree = sc.free.filter(Boolean).length;
    if (freeOnX > sc.freeX || freeOnY > nFree - sc.freeX) out.push(`${sc.where}: unlisted dimensions on X/Y (${freeOnX}/${freeOnY}) break the split`);
  }
  checkOrder(out, p, `${sc.where} permutation`, sc.order, mine);
}

/** Every violated constraint of mapping m (empty when it satisfies them all). */
export function constraintViolations(p: Problem, a: ArchSpec, m: Mapping, cm: CompiledMapspace = compileMapspace(p, a)): string[] {
  const out: string[] = [];
  let macs = 1;
  m.levels.forEach((lm, l) => {
    const cl = cm.levels[l];
    if (cm.minUtilization > 0) for (const s of lm.loops) if (s.spatial !== undefined) macs *= s.bound;
    if (!cl?.constrained) return;
    cl.keep.forEach((k, t) => {
      if (k !== undefined && (lm.keep[t] ?? false) !== k) out.push(`${cl.name}: must ${k ? 'keep' : 'bypass'} ${p.dataSpaces[t]?.name}`);
    });
    const temporal = lm.loops.filter((x) => x.spatial === undefined);
    const spatial = lm.loops.filter((x) => x.spatial !== undefined);
    checkRules(out, p, `${cl.name}.temporal`, cl.temporal, temporal);
    checkOrder(out, p, `${cl.name}.temporal permutation`, cl.temporalOrder, temporal);
    for (const sc of cl.spatial) checkSpatial(out, p, sc, spatial);
  });
  if (cm.minUtilization > 0 && macs < cm.minUtilization * a.mac.instances) {
    out.push(`utilization: ${macs} of ${a.mac.instances} MACs used (${(macs / a.mac.instances).toFixed(3)}) breaks min ${cm.minUtilization}`);
  }
  return out;
}

/** Dimensions whose loop bounds multiply past the problem bound (Timeloop accepts exact tilings only). */
export function paddingViolations(p: Problem, m: Mapping): string[] {
  const b = mappedBounds(p, m);
  return p.dims.flatMap((d, i) => ((b[i] ?? 1) > (p.bounds[i] ?? 1) ? [`${d}: loop bounds multiply to ${b[i]} > problem bound ${p.bounds[i]} (padding)`] : []));
}
