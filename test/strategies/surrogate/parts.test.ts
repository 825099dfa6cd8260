/**
 * The pieces of a surrogate round: the 2-D constrained non-dominated sort equals the general one,
 * the inner NSGA-II improves on its random start, the acquisition rule picks what it says it picks,
 * the normal-score warp is monotone and invertible, and the space-filling designs keep their
 * fixed points and spread out.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { hypervolume, nonDominatedSortBy } from '../../../core/pareto.ts';
import { constrainedDominates } from '../../../strategies/constraints.ts';
import { acquire } from '../../../strategies/surrogate/acquisition.ts';
import { neighbourSources } from '../../../strategies/surrogate/round.ts';
import { geneDistance, initialNetworks, maximin } from '../../../strategies/surrogate/design.ts';
import { constrainedFronts2d, innerNsga2, type InnerProblem } from '../../../strategies/surrogate/inner-search.ts';
import { NormalScores, normalQuantile } from '../../../strategies/surrogate/warp.ts';

describe('constrainedFronts2d', () => {
  it('gives the fronts of the general constrained sort, ties and infeasible points included', () => {
    const rng = new Rng('fronts');
    for (let trial = 0; trial < 20; trial++) {
      const n = 60;
      const values = Float64Array.from({ length: 2 * n }, () => rng.int(12)); // many ties
      const violation = Float64Array.from({ length: n }, () => (rng.bool(0.2) ? rng.int(3) + 1 : 0));
      const point = (i: number) => ({ values: [values[2 * i]!, values[2 * i + 1]!], violation: violation[i]! });
      const general = nonDominatedSortBy(n, (i, j) => constrainedDominates(point(i), point(j)));
      expect(constrainedFronts2d(values, violation, n)).toEqual(general);
    }
  });
});

describe('innerNsga2', () => {
  // Two genes of 50 choices each; minimise (a, (49 − a)² + b): the front is b = 0.
  const problem: InnerProblem = {
    arity: [50, 50], poolSize: 1, objectives: 2,
    active: () => [true, true],
    evaluate(genes, _pool, rows) {
      const values = new Float64Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        values[2 * r] = genes[2 * r]!;
        values[2 * r + 1] = (49 - genes[2 * r]!) ** 2 + genes[2 * r + 1]!;
      }
      return { values, violation: new Float64Array(rows) };
    },
  };

  it('evaluates population × (generations + 1) candidates and pushes the front to the optimum', () => {
    const opts = { population: 30, generations: 40, crossoverProb: 0.9, mutationProb: 0.3, hwMutationProb: 0 };
    const r = innerNsga2(problem, [], opts, new Rng(1));
    expect(r.evaluations).toBe(30 * 41);
    const front = r.members.filter((m) => m.rank === 0);
    expect(front.length).toBeGreaterThan(10);
    expect(front.filter((m) => m.genes[1] === 0).length / front.length).toBeGreaterThan(0.8);
    const start = innerNsga2(problem, [], { ...opts, generations: 0 }, new Rng(1)).members.filter((m) => m.rank === 0);
    const hv = (ms: typeof front) => hypervolume(ms.map((m) => m.values), [60, 2600]);
    expect(hv(front)).toBeGreaterThan(hv(start));
  });

  it('keeps its seeds and is deterministic for a stream', () => {
    const opts = { population: 10, generations: 3, crossoverProb: 0.9, mutationProb: 0.3, hwMutationProb: 0 };
    const seed = { genes: [49, 0], pool: 0 };
    const a = innerNsga2(problem, [seed], opts, new Rng(7));
    expect(a.members.some((m) => m.genes[0] === 49 && m.genes[1] === 0)).toBe(true);
    expect(innerNsga2(problem, [seed], opts, new Rng(7))).toEqual(a);
  });
});

describe('acquire', () => {
  const opts = { predictedIndex: 0, beta: 1, diversity: 0, exploit: 0 };
  // objective 0: −accuracy (predicted), objective 1: cost (exact, positive → log scale)
  const verified = [[-85, 1], [-88, 10]];

  it('picks the largest optimistic hypervolume gain first and does not stack a batch on one spot', () => {
    const cands = [
      { values: [-86, 5], sd: 0.1, rank: 0 },
      { values: [-86, 5], sd: 0.1, rank: 0 }, // a twin of the first
      { values: [-90, 20], sd: 0.1, rank: 0 }, // beyond the verified front's accurate end
      { values: [-84, 20], sd: 0.1, rank: 1 }, // dominated
    ];
    const picks = acquire(verified, cands, 2, opts);
    expect(picks.map((p) => p.rule)).toEqual(['ucb-hvi', 'ucb-hvi']);
    expect(new Set(picks.map((p) => p.index)).size).toBe(2);
    expect(picks.map((p) => p.index)).not.toEqual([0, 1]);
    expect(picks.some((p) => p.index === 2)).toBe(true);
  });

  it('prefers the uncertain candidate when β is large', () => {
    const cands = [{ values: [-86.5, 5], sd: 0, rank: 0 }, { values: [-86, 5], sd: 2, rank: 0 }];
    expect(acquire(verified, cands, 1, { ...opts, beta: 0 })[0]?.index).toBe(0);
    expect(acquire(verified, cands, 1, { ...opts, beta: 3 })[0]?.index).toBe(1);
  });

  it('gives exploit picks to the highest optimistic accuracy and the diversity share to the far end of the front', () => {
    const cands = [
      { values: [-87, 3], sd: 0.1, rank: 0 },
      { values: [-89, 30], sd: 0.5, rank: 0 },
      { values: [-80, 0.01], sd: 0.1, rank: 0 },
    ];
    const picks = acquire(verified, cands, 2, { ...opts, exploit: 1, diversity: 0.5 });
    expect(picks).toEqual([{ index: 1, rule: 'ucb-max', gain: 0 }, { index: 2, rule: 'diversity', gain: 0 }]);
  });

  it('with a conditioner, does not spend a batch on twins of an optimistic pick (GP-BUCB)', () => {
    const cands = [
      { values: [-88.5, 6], sd: 2, rank: 0 },
      { values: [-88.5, 6.1], sd: 2, rank: 0 }, // the first one's twin: same network, another accelerator
      { values: [-86, 3], sd: 0.5, rank: 0 },
    ];
    const twins = (picked: readonly number[]) => Float64Array.from([0, 1, 2], (i) => (picked.includes(0) && i === 1) || (picked.includes(1) && i === 0) ? 0.1 : 1);
    expect(acquire(verified, cands, 2, opts).map((p) => p.index)).toEqual([0, 1]);
    expect(acquire(verified, cands, 2, { ...opts, conditional: twins }).map((p) => p.index)).toEqual([0, 2]);
  });

  it('a capped exploit pick is the most accurate candidate under the cap (ε-constraint), else the uncapped one', () => {
    // verified front cost 1..10 (log10 0..1); cap u = 0.5 → cost ≤ 10^0.5 ≈ 3.16
    const cands = [
      { values: [-90, 20], sd: 0.1, rank: 0 },
      { values: [-88, 3], sd: 0.1, rank: 0 },
      { values: [-88.5, 4], sd: 0.1, rank: 0 },
      { values: [-86, 1.5], sd: 0.1, rank: 0 },
    ];
    const capped = acquire(verified, cands, 2, { ...opts, exploit: 2, exploitCaps: [Infinity, 0.5] });
    expect(capped.map((p) => [p.index, p.rule])).toEqual([[0, 'ucb-max'], [1, 'ucb-capped']]);
    const none = acquire(verified, cands, 1, { ...opts, exploit: 1, exploitCaps: [-5] });
    expect(none.map((p) => p.index)).toEqual([0]);
  });

  it('never returns more than it was offered', () => {
    expect(acquire(verified, [{ values: [-86, 5], sd: 0.1, rank: 0 }], 5, opts)).toHaveLength(1);
    expect(acquire(verified, [], 5, opts)).toEqual([]);
  });
});

describe('normal-score warp', () => {
  it('Φ⁻¹ matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });

  it('is monotone, shares the scores of ties, inverts on the sample and extrapolates beyond it', () => {
    const y = [10, 90, 91, 91, 92, 93.5, 94];
    const w = new NormalScores(y);
    const z = y.map((v) => w.forward(v));
    for (let i = 1; i < z.length; i++) expect(z[i]!).toBeGreaterThanOrEqual(z[i - 1]!);
    expect(z[2]).toBe(z[3]);
    for (const v of y) expect(w.inverse(w.forward(v))).toBeCloseTo(v, 9);
    expect(w.inverse(z[6]! + 0.5)).toBeGreaterThan(94);
    // the broken network no longer dominates the scale: the top is spread over most of it
    expect(z[6]! - z[1]!).toBeGreaterThan(z[1]! - z[0]!);
  });
});

describe('space-filling designs', () => {
  it('maximin keeps the fixed points and adds the farthest', () => {
    const picked = maximin([0], [1, 2, 10, 5], 3, (a, b) => Math.abs(a - b));
    expect(picked).toEqual([0, 10, 5]);
  });

  it('initial networks start with the largest and smallest and are distinct', () => {
    const space = { arity: [3, 3, 3, 3], active: (g: ArrayLike<number>) => [true, true, g[1] !== 0, true] };
    const nets = initialNetworks(space, [[2, 2, 2, 2], [0, 0, 0, 0]], 8, new Rng(3));
    expect(nets[0]).toEqual([2, 2, 2, 2]);
    expect(nets[1]).toEqual([0, 0, 0, 0]);
    const on = nets.map((g) => space.active(g));
    for (let i = 0; i < nets.length; i++) for (let j = 0; j < i; j++) expect(geneDistance(nets[i]!, on[i]!, nets[j]!, on[j]!)).toBeGreaterThan(0);
  });

  it('further corners follow in order, duplicates and those beyond the count dropped', () => {
    const space = { arity: [3, 3, 3, 3], active: () => [true, true, true, true] };
    const corners = [[2, 2, 2, 2], [0, 0, 0, 0], [2, 2, 0, 0], [2, 2, 2, 2], [0, 0, 2, 2]];
    expect(initialNetworks(space, corners, 6, new Rng(3)).slice(0, 4)).toEqual([[2, 2, 2, 2], [0, 0, 0, 0], [2, 2, 0, 0], [0, 0, 2, 2]]);
    expect(initialNetworks(space, corners, 3, new Rng(3))).toEqual([[2, 2, 2, 2], [0, 0, 0, 0], [2, 2, 0, 0]]);
  });
});

describe('neighbourSources', () => {
  const net = (k: number, y: number) => ({ key: `n${k}`, genes: [k], y });
  const verified = Array.from({ length: 30 }, (_, k) => net(k, 80 + k / 3));
  const front = [29, 25, 20, 14, 9, 5, 2, 0].map((k) => verified[k]!); // most accurate first

  it('takes the best verified networks and a spread of the front, both ends included, each once', () => {
    const got = neighbourSources(verified, front, { neighbourhood: 2, frontNeighbourhood: 4 }).map((v) => v.key);
    expect(got).toEqual(['n29', 'n28', 'n20', 'n5', 'n0']);
  });

  it('is the best ones alone without a front, and the whole front when it is short', () => {
    expect(neighbourSources(verified, [], { neighbourhood: 3, frontNeighbourhood: 16 }).map((v) => v.key)).toEqual(['n29', 'n28', 'n27']);
    expect(neighbourSources(verified, front, { neighbourhood: 0, frontNeighbourhood: 16 })).toHaveLength(front.length);
  });
});
