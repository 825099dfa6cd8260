/**
 * Per-layer mapper: random-pruned search over the arch's constrained mapspace (spatial assignments,
 * tilings, loop orders, bypass), in the spirit of Timeloop's random mapper with a victory
 * condition. Every mapping it keeps fits the hardware (capacity, instances, fan-out per axis) and
 * passes the constraint validator; with paddingRate 0 the tilings are exact, as in Timeloop. The
 * random phase stops after `patience` consecutive valid candidates without improvement or when
 * only the local search's share of `maxEvaluations` is left; the local search (refine.ts) then
 * polishes its best mapping with the rest of the budget.
 */
import { HardwareError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { compileMapspace } from '../mapspace/compile.ts';
import { hasLoopConstraints } from '../mapspace/constraints.ts';
import { constraintViolations, paddingViolations } from '../mapspace/validate.ts';
import { analyze, type Evaluation } from '../model/analysis.ts';
import type { Mapping } from '../model/mapping.ts';
import { fanout, type ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import { randomMapping } from './random-mapping.ts';
import { refine, type Scored } from './refine.ts';

export { randomMapping } from './random-mapping.ts';

export type MapperObjective = 'edp' | 'energy' | 'latency';

export interface MapperOptions {
  readonly objective?: MapperObjective;
  readonly maxEvaluations?: number;
  readonly patience?: number;
  /** Probability of a non-divisor (padded) factor when splitting a dimension; 0 = exact tilings only. */
  readonly paddingRate?: number;
  readonly seed?: number;
  /**
   * Candidates reserved, out of maxEvaluations, for the local search that polishes the random
   * phase's best; it also gets what the random phase leaves when its patience runs out.
   * Default maxEvaluations / 3; 0 = no local search.
   */
  readonly refineEvaluations?: number;
  /** A cost to minimise in place of `objective` (lower is better), e.g. a chip's own energy model. */
  readonly scoreFn?: (e: Evaluation) => number;
}

export interface MapperResult {
  readonly mapping: Mapping;
  readonly evaluation: Evaluation;
  readonly evaluations: number;
  readonly valid: number;
}

export function score(e: Evaluation, objective: MapperObjective): number {
  if (objective === 'energy') return e.energyPj * (1 + 1e-12 * e.cycles);
  if (objective === 'latency') return e.cycles * (1 + 1e-15 * e.energyPj);
  return e.energyPj * e.cycles;
}

/** Distinct starting points for the local search: the best mappings of distinct spatial layouts. */
const ELITE = 6;
function spatialKey(m: Mapping): string {
  return m.levels.map((lv) => lv.loops.filter((l) => l.spatial).map((l) => `${l.dim}${l.spatial}${l.bound}`).sort().join(',')).join('|');
}
function keepElite(elite: Scored[], r: Scored): void {
  const k = spatialKey(r.mapping);
  const same = elite.findIndex((e) => spatialKey(e.mapping) === k);
  if (same >= 0) { if (r.s < (elite[same] as Scored).s) elite[same] = r; }
  else elite.push(r);
  elite.sort((x, y) => x.s - y.s);
  if (elite.length > ELITE) elite.length = ELITE;
}

export function mapLayer(p: Problem, a: ArchSpec, opts: MapperOptions = {}): MapperResult {
  const objective = opts.objective ?? 'edp';
  const maxEvaluations = opts.maxEvaluations ?? 2000;
  const patience = opts.patience ?? 300;
  const paddingRate = opts.paddingRate ?? 0.1;
  const rng = new Rng(opts.seed ?? 1);
  const cm = compileMapspace(p, a);
  let best: Scored | undefined;
  let evaluations = 0;
  let valid = 0;
  let stale = 0;
  // Why candidates failed, to say so when none is valid.
  const reasons = new Map<string, number>();
  const reject = (why: string): void => { const k = why.replace(/\d+/g, '#'); reasons.set(k, (reasons.get(k) ?? 0) + 1); };
  const judge = (m: Mapping): Scored | null => {
    const bad = paddingRate === 0 ? paddingViolations(p, m) : [];
    const cv = bad.length ? bad : constraintViolations(p, a, m, cm);
    if (cv.length) { reject(cv[0] as string); return null; }
    const e = analyze(p, a, m);
    if (e.violations.length > 0) { reject(e.violations[0] as string); return null; }
    return { mapping: m, evaluation: e, s: opts.scoreFn ? opts.scoreFn(e) : score(e, objective) };
  };
  const elite: Scored[] = [];
  const reserved = Math.min(maxEvaluations - 1, opts.refineEvaluations ?? Math.floor(maxEvaluations / 3));
  while (evaluations < maxEvaluations - reserved && stale < patience) {
    const r = judge(randomMapping(p, a, rng, paddingRate, cm));
    evaluations++;
    if (!r) continue;
    valid++;
    if (!best || r.s < best.s) { best = r; stale = 0; } else stale++;
    keepElite(elite, r);
  }
  if (best && reserved > 0) {
    const spreadable = (l: number, axis: 'X' | 'Y', d: number): boolean => {
      const f = fanout(a, l);
      const cl = cm.levels[l];
      return (axis === 'X' ? f.x : f.y) > 1 && (axis === 'X' ? cl?.allowX[d] : cl?.allowY[d]) === true;
    };
    const polished = refine(elite, judge, rng, maxEvaluations - evaluations, patience, spreadable);
    best = polished.best;
    evaluations += polished.evaluations;
    valid += polished.valid;
  }
  if (!best) {
    const top = [...reasons.entries()].sort((x, y) => y[1] - x[1])[0];
    const hint = hasLoopConstraints(a) ? 'buffers too small or constraints too tight? --mapspace free drops the loop constraints' : 'buffers too small?';
    throw new HardwareError(
      `mapper: no valid mapping of ${p.name} on ${a.name} in ${evaluations} candidates (${hint}); most common rejection: ${top ? `${top[0]} (${top[1]}×)` : 'none'}`,
      { field: 'arch', value: a.name },
    );
  }
  return { mapping: best.mapping, evaluation: best.evaluation, evaluations, valid };
}
