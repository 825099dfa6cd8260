/**
 * Which predicted candidates a round sends to verification. The rule, in the space the fronts are
 * compared in (the predicted metric as is, every positive cost metric as log10 — EDP spans four
 * decades between the smallest and largest network, and a linear scale would see only the top one):
 *
 * 1. Optimistic hypervolume improvement (UCB-HVI): each candidate's optimistic point is its exact
 *    costs with the predicted metric moved β standard deviations toward better; candidates are
 *    picked greedily by how much hypervolume that point adds to the front of the verified points
 *    plus, for every pick so far, the pick's *mean* point ("kriging believer": a pick's neighbours
 *    lose what it is expected to cover, so a batch does not pile onto one spot). HVI is submodular,
 *    so the greedy runs lazily (stale gains are upper bounds). This is the optimistic, batched
 *    form of expected hypervolume improvement (Emmerich et al. 2006; Zuluaga et al.'s PAL, ICML 2013,
 *    uses the same optimistic points).
 * 0. First, `exploit` picks maximise the optimistic predicted metric alone (GP-UCB, Srinivas et al.
 *    ICML 2010) over the predicted front and the one-choice neighbours of the best verified
 *    networks: a hypervolume gain is small at the costly end of the front, where the most accurate
 *    networks are, and this keeps that end explored (local search around the incumbent is what
 *    makes NAS-Bench-201 searches efficient — White et al., "Local search is state of the art for
 *    NAS benchmarks", 2020). An exploit pick may carry a cost cap (`exploitCaps`): the best
 *    optimistic accuracy among candidates under it — an ε-constraint scalarisation (Haimes 1971),
 *    the question "how accurate can it be at this cost?" that Once-for-All answers per latency
 *    budget; the round draws the caps at random (random scalarisations, Paria et al. UAI 2019).
 *    With `conditional` (GP-BUCB), every pick is believed observed before the next: candidates
 *    correlated with it lose optimism, so one batch does not spend several picks on near-copies.
 * 2. A diversity share: the rest of the batch goes to the predicted-front candidates farthest (in
 *    range-normalised objective space) from every verified point and every pick, so the verified
 *    front keeps spanning the whole cost range, not only where improvement is steepest.
 * The hypervolume reference point is the worst value of each objective over verified points and
 * candidates plus 10 % of its range.
 */
import { hypervolume, paretoFrontIndices, type Point } from '../../core/pareto.ts';

export interface AcqCandidate {
  /** Objective vector to minimise, the predicted objective at its posterior mean. */
  readonly values: readonly number[];
  /** Posterior standard deviation of the predicted objective (0 when already verified). */
  readonly sd: number;
  /** Non-dominated rank in the inner search (0 = predicted front). */
  readonly rank: number;
}

export interface AcqOptions {
  /** Index of the predicted objective in the vectors. */
  readonly predictedIndex: number;
  readonly beta: number;
  /** Picks by the optimistic predicted metric alone, before the hypervolume picks. */
  readonly exploit: number;
  /**
   * Cost caps of the exploit picks, one per pick (missing or Infinity: none): a fraction u of the
   * verified front's range of each cost objective (transformed space), so the pick maximises the
   * optimistic prediction among candidates no costlier than lo + u·(hi − lo) in every cost objective.
   */
  readonly exploitCaps?: readonly number[];
  /** Share of the batch picked for diversity (rounded, at most n − 1 when n > 1). */
  readonly diversity: number;
  /**
   * Each candidate's sd once the picked ones are observed, as a ratio to its sd now (GP-BUCB,
   * estimators/accuracy/gp-batch.ts). Absent: a pick changes only the front the others are scored against.
   */
  readonly conditional?: (picked: readonly number[]) => Float64Array;
}

export interface Pick {
  readonly index: number;
  readonly rule: 'ucb-max' | 'ucb-capped' | 'ucb-hvi' | 'diversity';
  /** Hypervolume the optimistic point added when it was picked (transformed space; 0 for diversity picks). */
  readonly gain: number;
}

/** log10 for objectives whose values are all positive, except the predicted one. */
function transformOf(all: readonly (readonly number[])[], m: number, predicted: number): ((v: number) => number)[] {
  return Array.from({ length: m }, (_, k) => (k !== predicted && all.every((p) => (p[k] as number) > 0) ? Math.log10 : (v: number) => v));
}

export function acquire(verified: readonly (readonly number[])[], candidates: readonly AcqCandidate[], n: number, opts: AcqOptions): Pick[] {
  if (candidates.length === 0 || n < 1) return [];
  const m = candidates[0]?.values.length ?? 0;
  const t = transformOf([...verified, ...candidates.map((c) => c.values)], m, opts.predictedIndex);
  const tr = (p: readonly number[]) => p.map((v, k) => (t[k] as (x: number) => number)(v));
  const mean = candidates.map((c) => tr(c.values));
  const optimisticWith = (shrink: ArrayLike<number> | null) => candidates.map((c, i) => {
    const p = [...(mean[i] as number[])];
    p[opts.predictedIndex] = (p[opts.predictedIndex] as number) - opts.beta * c.sd * (shrink ? (shrink[i] as number) : 1);
    return p;
  });
  let optimistic = optimisticWith(null);
  const known = verified.map(tr);
  const all = [...known, ...mean, ...optimistic];
  const lo = Array.from({ length: m }, (_, k) => Math.min(...all.map((p) => p[k] as number)));
  const hi = Array.from({ length: m }, (_, k) => Math.max(...all.map((p) => p[k] as number)));
  const span = hi.map((h, k) => h - (lo[k] as number) || 1);
  const ref = hi.map((h, k) => h + 0.1 * (span[k] as number));

  const picks: Pick[] = [];
  const taken = new Set<number>();
  let base: Point[] = front(known);
  let baseHv = hypervolume(base, ref);
  const nDiverse = n > 1 ? Math.min(n - 1, Math.round(opts.diversity * n)) : 0;
  const optimal = (i: number) => (optimistic[i] as number[])[opts.predictedIndex] as number;
  // A pick believed observed: the others' optimism shrinks with their correlation to it. Optimistic
  // points only move toward worse, so hypervolume gains computed earlier stay upper bounds.
  const believe = () => {
    if (opts.conditional) optimistic = optimisticWith(opts.conditional(picks.map((p) => p.index)));
  };
  const verifiedFront = front(known);
  const costs = Array.from({ length: m }, (_, k) => k).filter((k) => k !== opts.predictedIndex);
  // each cost objective's range over the verified front, once (the caps are fractions of it)
  const range = costs.map((k) => {
    const vals = verifiedFront.map((p) => p[k] as number);
    return { k, lo: Math.min(...vals), hi: Math.max(...vals) };
  });
  const within = (i: number, u: number) =>
    !Number.isFinite(u) || verifiedFront.length === 0 || range.every(({ k, lo: a, hi: b }) => ((mean[i] as number[])[k] as number) <= a + u * (b - a) + 1e-12);
  for (let k = 0; k < Math.min(opts.exploit, n - nDiverse); k++) {
    const u = opts.exploitCaps?.[k] ?? Infinity;
    const argBest = (capped: boolean) => {
      let best = -1;
      for (let i = 0; i < optimistic.length; i++) if (!taken.has(i) && (!capped || within(i, u)) && (best < 0 || optimal(i) < optimal(best))) best = i;
      return best;
    };
    // no candidate under the cap: the pick goes to the accurate end instead
    let best = argBest(true);
    if (best < 0) best = argBest(false);
    if (best < 0) break;
    taken.add(best);
    picks.push({ index: best, rule: Number.isFinite(u) ? 'ucb-capped' : 'ucb-max', gain: 0 });
    base = front([...base, mean[best] as Point]);
    believe();
  }
  baseHv = hypervolume(base, ref);
  // Lazy greedy: gains only shrink as the base front grows, so a stale gain bounds the fresh one.
  const bound = optimistic.map((p) => hypervolume([...base, p], ref) - baseHv);
  while (picks.length < n - nDiverse) {
    let best = -1;
    for (;;) {
      best = -1;
      for (let i = 0; i < bound.length; i++) if (!taken.has(i) && (best < 0 || (bound[i] as number) > (bound[best] as number))) best = i;
      if (best < 0 || (bound[best] as number) <= 0) break;
      const fresh = hypervolume([...base, optimistic[best] as Point], ref) - baseHv;
      const stale = bound[best] as number;
      bound[best] = fresh;
      if (fresh >= stale - 1e-15) break;
    }
    if (best < 0 || (bound[best] as number) <= 0) break;
    taken.add(best);
    picks.push({ index: best, rule: 'ucb-hvi', gain: bound[best] as number });
    base = front([...base, mean[best] as Point]);
    baseHv = hypervolume(base, ref);
    believe();
  }
  // Diversity (and whatever the improvement rule left unfilled): farthest predicted-front points first.
  const norm = (p: readonly number[]) => p.map((v, k) => (v - (lo[k] as number)) / (span[k] as number));
  const anchors = [...known, ...picks.map((p) => mean[p.index] as number[])].map(norm);
  const byRank = candidates.map((c, i) => i).filter((i) => !taken.has(i)).sort((a, b) => (candidates[a] as AcqCandidate).rank - (candidates[b] as AcqCandidate).rank || a - b);
  const pool = byRank.filter((i) => (candidates[i] as AcqCandidate).rank === 0).length > 0 ? byRank.filter((i) => (candidates[i] as AcqCandidate).rank === 0) : byRank;
  const gap = (i: number) => Math.min(Infinity, ...anchors.map((a) => Math.hypot(...(norm(mean[i] as number[]).map((v, k) => v - (a[k] as number))))));
  while (picks.length < n) {
    const left = (pool.some((i) => !taken.has(i)) ? pool : byRank).filter((i) => !taken.has(i));
    if (left.length === 0) break;
    let best = left[0] as number;
    let bestGap = gap(best);
    for (const i of left.slice(1)) {
      const g = gap(i);
      if (g > bestGap) {
        best = i;
        bestGap = g;
      }
    }
    taken.add(best);
    picks.push({ index: best, rule: 'diversity', gain: 0 });
    anchors.push(norm(mean[best] as number[]));
  }
  return picks;
}

function front(points: readonly Point[]): Point[] {
  return paretoFrontIndices(points).map((i) => points[i] as Point);
}
