import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { dominates, hypervolume, type Point } from '../../core/pareto.ts';
import { frontIndices } from '../../core/front.ts';
import { HypervolumeTracker, hypervolumeHistory, hypervolumeOf, normalisation } from '../../server/hypervolume.ts';

describe('frontIndices (the one front definition)', () => {
  it('equals the brute-force non-dominated set of feasible, complete candidates, in 2 to 4 dimensions', () => {
    const rng = new Rng('pareto');
    for (const dims of [2, 3, 4]) {
      for (let round = 0; round < 10; round++) {
        const dirs = Array.from({ length: dims }, () => rng.choice(['min', 'max'] as const));
        const cands = Array.from({ length: 150 }, () => ({ feasible: rng.bool(0.85), values: Array.from({ length: dims }, () => (rng.bool(0.03) ? null : rng.int(12))) }));
        const ok = cands.map((c, i) => i).filter((i) => cands[i]?.feasible && cands[i]?.values.every((v) => v !== null));
        const vec = (i: number) => (cands[i]?.values as number[]).map((v, k) => (dirs[k] === 'max' ? -v : v));
        const brute = ok.filter((i) => !ok.some((j) => dominates(vec(j), vec(i))));
        expect(frontIndices(cands, dirs)).toEqual(brute);
      }
    }
  });
});

describe('hypervolume tracking', () => {
  it('incremental exclusive contributions equal the exact hypervolume of the final set (3-D and 4-D)', () => {
    const rng = new Rng('hv');
    for (const d of [2, 3, 4]) {
      const pts: Point[] = Array.from({ length: 60 }, () => Array.from({ length: d }, () => rng.next()));
      const t = new HypervolumeTracker(pts[0]!.map(() => 1.1));
      for (const p of pts) t.add(p);
      expect(t.volume).toBeCloseTo(hypervolume(pts, pts[0]!.map(() => 1.1)), 10);
    }
  });

  it('normalises min–max over feasible rows, tracks best-so-far and never decreases', () => {
    const rows = [
      { number: 1, feasible: true, values: [80, 10, 5] },
      { number: 2, feasible: false, values: [99, 1, 1] },
      { number: 3, feasible: true, values: [85, 20, 4] },
      { number: 4, feasible: true, values: [70, 5, 6] },
    ];
    const dirs = ['max', 'min', 'min'] as const;
    const n = normalisation(rows, dirs);
    expect(n).toEqual({ best: [85, 5, 4], worst: [70, 20, 6] });
    const h = hypervolumeHistory(rows, dirs, n);
    expect(h.map((s) => s.best)).toEqual([[80, 10, 5], [80, 10, 5], [85, 10, 4], [85, 5, 4]]);
    const hv = h.map((s) => s.hypervolume);
    expect(hv[1]).toBe(hv[0]);
    expect(hv[2]).toBeGreaterThan(hv[1] as number);
    expect(hv[3]).toBeGreaterThan(hv[2] as number);
    expect(hv[3]).toBeLessThanOrEqual(1.1 ** 3);
    expect(hv[3]).toBeCloseTo(hypervolumeOf(rows, dirs, n!), 12);
    expect(hypervolumeHistory(rows, dirs, n, 2)).toHaveLength(2);
  });
});
