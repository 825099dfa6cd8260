import { describe, expect, it } from 'vitest';
import { kendallTau, pearson, quantile, summarize } from '../../core/stats.ts';

describe('stats', () => {
  it('summarizes with interpolated quantiles', () => {
    const s = summarize([4, 1, 3, 2]);
    expect(s).toMatchObject({ count: 4, median: 2.5, mean: 2.5, min: 1, max: 4 });
    expect(s.iqr).toBeCloseTo(1.5, 12); // q25 = 1.75, q75 = 3.25
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(quantile([10], 0.9)).toBe(10);
    expect(() => summarize([])).toThrow(/values/);
  });

  it('computes Kendall tau-b', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // 5 concordant, 1 discordant of 6 pairs: (5 - 1) / 6.
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    // With ties (scipy.stats.kendalltau([1,2,2,3],[1,2,3,3]) = 0.8).
    expect(kendallTau([1, 2, 2, 3], [1, 2, 3, 3])).toBeCloseTo(0.8, 12);
    expect(Number.isNaN(kendallTau([1, 1], [1, 2]))).toBe(true);
    expect(() => kendallTau([1], [1, 2])).toThrow(/equal length/);
  });

  it("computes Pearson's r", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // numpy.corrcoef([1, 2, 3, 4], [1, 3, 2, 4])[0, 1] = 0.8
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(Number.isNaN(pearson([1, 1], [1, 2]))).toBe(true);
    expect(() => pearson([1], [1, 2])).toThrow(/equal length/);
  });
});
