/**
 * Per-layer mapper: random-pruned search over the arch's constrained mapspace (spatial assignments,
 * tilings, loop orders, bypass), in the spirit of Timeloop's random mapper with a victory
 * condition. Every mapping it keeps fits the hardware (capacity, instances, fan-out per axis) and
 * passes the constraint validator; with paddingRate 0 the tilings are exact, as in Timeloop. The
 * search stops after `patience` consecutive valid candidates without improvement or after
 * `maxEvaluations` candidates.
 */
import { HardwareError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { compileMapspace } from '../mapspace/compile.ts';
import { hasLoopConstraints } from '../mapspace/constraints.ts';
import { constraintViolations, paddingViolations } from '../mapspace/validate.ts';
import { analyze, type Evaluation } from '../model/analysis.ts';
import type { Mapping } from '../model/mapping.ts';
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import { randomMapping } from './random-mapping.ts';

export { randomMapping } from './random-mapping.ts';

export type MapperObjective = 'edp' | 'energy' | 'latency';

export interface MapperOptions {
  readonly objective?: MapperObjective;
  readonly maxEvaluations?: number;
  readonly patience?: number;
  /** Probability of a non-divisor (padded) factor when splitting a dimension; 0 = exact tilings only. */
  readonly paddingRate?: number;
  readonly seed?: number;
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

export function mapLayer(p: Problem, a: ArchSpec, opts: MapperOptions = {}): MapperResult {
  const objective = opts.objective ?? 'edp';
  const maxEvaluations = opts.maxEvaluations ?? 2000;
  const patience = opts.patience ?? 300;
  const paddingRate = opts.paddingRate ?? 0.1;
  const rng = new Rng(opts.seed ?? 1);
  const cm = compileMapspace(p, a);
  let best: { mapping: Mapping; evaluation: Evaluation; s: number } | undefined;
  let evaluations = 0;
  let valid = 0;
  let stale = 0;
  // Why candidates failed, to say so when none is valid.
  const reasons = new Map<string, number>();
  const reject = (why: string): void => { const k = why.replace(/\d+/g, '#'); reasons.set(k, (reasons.get(k) ?? 0) + 1); };
  while (evaluations < maxEvaluations && stale < patience) {
    const m = randomMapping(p, a, rng, paddingRate, cm);
    evaluations++;
    const bad = paddingRate === 0 ? paddingViolations(p, m) : [];
    const cv = bad.length ? bad : constraintViolations(p, a, m, cm);
    if (cv.length) { reject(cv[0] as string); continue; }
    const e = analyze(p, a, m);
    if (e.violations.length > 0) { reject(e.violations[0] as string); continue; }
    valid++;
    const s = score(e, objective);
    if (!best || s < best.s) { best = { mapping: m, evaluation: e, s }; stale = 0; } else stale++;
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
