import { describe, expect, it } from 'vitest';
import { dominates, hypervolume } from '../../core/pareto.ts';
import type { Point } from '../../core/pareto.ts';
import { Rng } from '../../core/rng.ts';
import type { Metrics } from '../../core/types.ts';
import { Nb201Universe } from '../../platform/bench/nb201-front.ts';
import type { HwCost } from '../../platform/bench/nb201-front.ts';

/** Inclusion–exclusion over every non-empty subset: exact, exponential, independent of the slicing code. */
function bruteForceVolume(points: readonly Point[], ref: Point): number {
  let total = 0;
  for (let mask = 1; mask < 1 << points.length; mask++) {
    let vol = 1;
    let size = 0;
    for (let k = 0; k < ref.length; k++) {
      let worst = -Infinity;
      points.forEach((p, i) => { if (mask & (1 << i)) worst = Math.max(worst, p[k] as number); });
      vol *= Math.max(0, (ref[k] as number) - worst);
    }
    for (let i = 0; i < points.length; i++) if (mask & (1 << i)) size++;
    total += size % 2 === 1 ? vol : -vol;
  }
  return total;
}

describe('exact 3-D hypervolume (core/pareto) against brute force', () => {
  it('agrees on 200 small random sets, with ties, duplicates and points outside the reference box', () => {
    const rng = new Rng('hv-brute');
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(9);
      const grid = rng.bool();
      const pts: Point[] = Array.from({ length: n }, () => [0, 1, 2].map(() => (grid ? rng.int(5) / 4 : rng.uniform(0, 1.2))));
      if (n > 2 && rng.bool()) pts.push([...(pts[0] as Point)]);
      const ref = [1.1, 1.1, 1.1];
      const want = bruteForceVolume(pts.map((p) => p.map((v, k) => Math.min(v, ref[k] as number))), ref);
      expect(hypervolume(pts, ref)).toBeCloseTo(want, 10);
    }
  });

  it('2-D and 4-D through the same recursion also agree', () => {
    const rng = new Rng('hv-dims');
    for (const d of [2, 4]) {
      for (let t = 0; t < 40; t++) {
        const pts: Point[] = Array.from({ length: 1 + rng.int(7) }, () => Array.from({ length: d }, () => rng.uniform(0, 1)));
        const ref = new Array<number>(d).fill(1);
        expect(hypervolume(pts, ref)).toBeCloseTo(bruteForceVolume(pts, ref), 10);
      }
    }
  });
});

describe('Nb201Universe: the exhaustive ground truth of a run', () => {
  const rng = new Rng('universe');
  const cells = 60;
  const accuracy = Array.from({ length: cells }, () => 50 + 40 * rng.next());
  const costs: HwCost[][] = [0, 1].map(() => Array.from({ length: cells }, () => ({ latency: 1 + 9 * rng.next(), energy: 5 + 5 * rng.next() })));
  const u = new Nb201Universe(accuracy, costs);

  it('lays out points cell-major, config-minor', () => {
    expect(u.configs).toBe(2);
    expect(u.metrics).toHaveLength(2 * cells);
    expect(u.metrics[2 * 7 + 1]).toEqual({ accuracy: accuracy[7], latency: costs[1]?.[7]?.latency, energy: costs[1]?.[7]?.energy });
  });

  it('scales each objective to [0, 1] between the exact front\'s ideal and nadir, accuracy flipped', () => {
    const onFront = u.front.map((i) => u.scale(u.metrics[i] as Metrics));
    for (let k = 0; k < 3; k++) {
      expect(Math.min(...onFront.map((p) => p[k] as number))).toBeCloseTo(0, 12);
      expect(Math.max(...onFront.map((p) => p[k] as number))).toBeCloseTo(1, 12);
    }
    // The best accuracy is on the front (nothing dominates it), at 0 after the flip; off-front points may lie beyond 1.
    const best = accuracy.indexOf(Math.max(...accuracy));
    const bestPoint = [0, 1].map((h) => u.scale(u.metrics[2 * best + h] as Metrics)[0] as number);
    expect(Math.min(...bestPoint)).toBeCloseTo(0, 12);
    // Nothing beats the front's best accuracy; the worst accuracy anywhere lies at or beyond the nadir.
    const accScaled = u.metrics.map((m) => u.scale(m)[0] as number);
    expect(Math.min(...accScaled)).toBeGreaterThanOrEqual(0);
    expect(u.scale({ accuracy: Math.min(...accuracy), latency: 0, energy: 0 })[0]).toBeGreaterThanOrEqual(1);
    expect(u.scale({ accuracy: 0, latency: 1e9, energy: 1e9 }).every((v) => v > 1)).toBe(true);
  });

  it('front = exactly the points no other point dominates', () => {
    const raw = u.metrics.map((m) => [-(m['accuracy'] as number), m['latency'] as number, m['energy'] as number]);
    const expected = raw.flatMap((p, i) => (raw.some((q) => dominates(q, p)) ? [] : [i]));
    expect([...u.front]).toEqual(expected);
    const scaled = u.metrics.map((m) => u.scale(m));
    expect(u.frontVolume).toBeCloseTo(hypervolume(expected.map((i) => scaled[i] as Point), [1.1, 1.1, 1.1]), 12);
  });

  it('ratio is 1 for the whole set or the front alone, below 1 without a front point', () => {
    expect(u.hypervolumeRatio(u.metrics)).toBeCloseTo(1, 12);
    expect(u.hypervolumeRatio(u.front.map((i) => u.metrics[i] as Metrics))).toBeCloseTo(1, 12);
    const missing = u.front.slice(1).map((i) => u.metrics[i] as Metrics);
    expect(u.hypervolumeRatio(missing)).toBeLessThan(1);
    expect(u.hypervolumeRatio(missing)).toBeGreaterThan(0);
  });

  it('front recall counts distinct front vectors found, ignoring off-front points', () => {
    const off = u.metrics.findIndex((_m, i) => !u.front.includes(i));
    expect(u.frontRecall([])).toBe(0);
    expect(u.frontRecall([off])).toBe(0);
    expect(u.frontRecall(u.front)).toBe(1);
    expect(u.frontRecall([u.front[0] as number, u.front[0] as number, off])).toBeCloseTo(1 / u.front.length, 12);
  });

  it('rejects configs whose cost lists do not cover every cell', () => {
    expect(() => new Nb201Universe([1, 2], [[{ latency: 1, energy: 1 }]])).toThrow(/one cost per cell/);
  });
});
