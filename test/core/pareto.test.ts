import { describe, expect, it } from 'vitest';
import { constrainedDominates, isFeasible, parseConstraint, violation } from '../../strategies/constraints.ts';
import { crowdingDistance, dominates, hypervolume, hypervolume2d, hypervolume3d, nonDominatedSort, paretoFrontIndices } from '../../core/pareto.ts';

describe('dominance and sorting', () => {
  it('dominates needs no-worse everywhere and better somewhere', () => {
    expect(dominates([1, 2], [2, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
  });

  it('sorts a hand-built set into fronts', () => {
    // front 0: (1,5) (2,3) (4,1); front 1: (3,4) (5,2); front 2: (6,6)
    const pts = [[3, 4], [1, 5], [6, 6], [2, 3], [5, 2], [4, 1]];
    expect(nonDominatedSort(pts)).toEqual([[1, 3, 5], [0, 4], [2]]);
    expect(paretoFrontIndices(pts)).toEqual([1, 3, 5]);
  });

  it('crowding: boundaries infinite, interior = normalised neighbour gaps', () => {
    const pts = [[0, 4], [1, 2], [3, 1], [4, 0]];
    const d = crowdingDistance(pts, [0, 1, 2, 3]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    // point 1: (3-0)/4 + (4-1)/4 = 1.5 ; point 2: (4-1)/4 + (2-0)/4 = 1.25
    expect(d[1]).toBeCloseTo(1.5, 12);
    expect(d[2]).toBeCloseTo(1.25, 12);
  });
});

describe('hypervolume', () => {
  it('2-D staircase by hand', () => {
    // ref (4,4): rectangles 3×1 (x 1..4, y 3..4) + 2×2 (x 2..4, y 1..3) = 3 + 4 = 7
    expect(hypervolume2d([[1, 3], [2, 1], [3, 3]], [4, 4])).toBe(7);
    expect(hypervolume2d([[5, 1]], [4, 4])).toBe(0);
  });

  it('3-D by hand: two boxes overlapping', () => {
    // ref (2,2,2): (0,0,1) → box 2×2×1 = 4; (1,1,0) → 1×1×2 = 2; overlap 1×1×1 = 1 → 5
    expect(hypervolume3d([[0, 0, 1], [1, 1, 0]], [2, 2, 2])).toBe(5);
    expect(hypervolume([[0, 0, 0]], [1, 2, 3])).toBe(6);
  });

  it('3-D agrees with a Monte-Carlo-free grid count on integer points', () => {
    const pts = [[0, 2, 1], [1, 0, 2], [2, 1, 0], [1, 1, 1]];
    const ref = [3, 3, 3];
    let cells = 0;
    for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) for (let z = 0; z < 3; z++) {
      if (pts.some((p) => p[0]! <= x && p[1]! <= y && p[2]! <= z)) cells++;
    }
    expect(hypervolume3d(pts, ref)).toBe(cells);
  });
});

describe('constraints', () => {
  it('parses and measures relative violation', () => {
    const c = [parseConstraint('latency<=10'), parseConstraint('accuracy >= 90')];
    expect(c[0]).toEqual({ metric: 'latency', op: '<=', limit: 10 });
    expect(violation({ latency: 12, accuracy: 95 }, c)).toBeCloseTo(0.2, 12);
    expect(violation({ latency: 5, accuracy: 81 }, c)).toBeCloseTo(0.1, 12);
    expect(isFeasible({ latency: 10, accuracy: 90 }, c)).toBe(true);
    expect(violation({ accuracy: 95 }, c)).toBe(1);
    expect(() => parseConstraint('latency < 3')).toThrow(/constraint/);
  });

  it('constraint-domination: feasible first, then violation, then Pareto', () => {
    const feasibleBad = { values: [9, 9], violation: 0 };
    const infeasibleGood = { values: [0, 0], violation: 0.1 };
    expect(constrainedDominates(feasibleBad, infeasibleGood)).toBe(true);
    expect(constrainedDominates(infeasibleGood, feasibleBad)).toBe(false);
    expect(constrainedDominates({ values: [5, 5], violation: 0.05 }, infeasibleGood)).toBe(true);
    expect(constrainedDominates({ values: [1, 1], violation: 0 }, { values: [1, 2], violation: 0 })).toBe(true);
  });
});

describe('paretoFrontIndices', () => {
  it('matches the first front of the full sort on random points, duplicates kept', async () => {
    const { Rng } = await import('../../core/rng.ts');
    const rng = new Rng(5);
    for (let t = 0; t < 20; t++) {
      const pts = Array.from({ length: 60 }, () => [rng.int(8), rng.int(8), rng.int(8)]);
      pts.push([...(pts[0] as number[])]);
      expect(paretoFrontIndices(pts)).toEqual(nonDominatedSort(pts)[0]);
    }
  });
});
