import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { dominates, history, hypervolume2d, paretoFront, type Vec } from '../../server/pareto.ts';

describe('paretoFront', () => {
  it('equals the brute-force non-dominated set in 2 and 3 dimensions, duplicates and ties included', () => {
    const rng = new Rng('pareto');
    for (const dims of [2, 3]) {
      for (let round = 0; round < 20; round++) {
        const pts: Vec[] = Array.from({ length: 200 }, () => Array.from({ length: dims }, () => rng.int(12)));
        const brute = pts.map((p, i) => i).filter((i) => !pts.some((q) => dominates(q, pts[i] as Vec)));
        expect(paretoFront(pts).sort((a, b) => a - b)).toEqual(brute);
      }
    }
  });
});

describe('hypervolume2d', () => {
  it('sums the staircase area inside the reference box', () => {
    expect(hypervolume2d([[0, 1], [1, 0]], [2, 2])).toBe(3);
    expect(hypervolume2d([[0, 0]], [1, 1])).toBe(1);
    // A dominated point and a point outside the box add nothing.
    expect(hypervolume2d([[0, 1], [1, 0], [1, 1], [3, -1]], [2, 2])).toBe(3);
    expect(hypervolume2d([], [1, 1])).toBe(0);
  });
});

describe('history', () => {
  it('tracks best-so-far with directions and a non-decreasing hypervolume', () => {
    const rows = [
      { number: 1, feasible: true, values: [80, 10] },
      { number: 2, feasible: false, values: [99, 1] },
      { number: 3, feasible: true, values: [85, 20] },
      { number: 4, feasible: true, values: [70, 5] },
    ];
    const h = history(rows, ['max', 'min'], [0, 1]);
    expect(h.map((s) => s.best)).toEqual([[80, 10], [80, 10], [85, 10], [85, 5]]);
    const hv = h.map((s) => s.hypervolume);
    expect(hv[1]).toBe(hv[0]);
    expect(hv[2]).toBeGreaterThan(hv[1] as number);
    expect(hv[3]).toBeGreaterThan(hv[2] as number);
    // Each normalised axis spans [0, 1] with reference 1.1: the full front covers at most 1.21.
    expect(hv[3]).toBeLessThanOrEqual(1.21);
    expect(history(rows, ['max', 'min'], [0, 1], 2)).toHaveLength(2);
  });
});
