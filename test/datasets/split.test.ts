import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { carveValidation, defaultValSize, duplicateGroups, proportionalQuota, resolveValSize, stratifiedPick } from '../../datasets/split.ts';
import { datasetChecksum, labelHistogram, makeDataset, type ImageDataset } from '../../datasets/types.ts';

/** n unique 2×2 images with skewed classes: class c has about (c + 1)·n/55 samples. */
function toy(n: number, dupEvery = 0): ImageDataset {
  const labels = Uint8Array.from({ length: n }, (_, i) => {
    let k = i % 55;
    let c = 0;
    while (k > c) k -= ++c;
    return c;
  });
  const images = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const src = dupEvery > 0 && i % dupEvery === dupEvery - 1 && i > 0 ? i - 1 : i; // copy the previous image
    images.set([src & 255, src >> 8, labels[src]!, 7], i * 4);
  }
  return makeDataset({ name: 'toy/train', images, labels, height: 2, width: 2, channels: 1, numClasses: 10, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`) });
}

const ids = (ds: ImageDataset) => Array.from(ds.sourceIndex);

describe('validation split', () => {
  it('same seed ⇒ identical split; another seed ⇒ a different one', () => {
    const ds = toy(1100);
    const a = carveValidation(ds, { size: 200, seed: 5 });
    const b = carveValidation(ds, { size: 200, seed: 5 });
    const c = carveValidation(ds, { size: 200, seed: 6 });
    expect(datasetChecksum(a.val)).toBe(datasetChecksum(b.val));
    expect(ids(a.val)).toEqual(ids(b.val));
    expect(ids(a.train)).toEqual(ids(b.train));
    expect(ids(c.val)).not.toEqual(ids(a.val));
    expect([a.train.name, a.val.name]).toEqual(['toy/train', 'toy/val']);
  });

  it('is stratified (per-class counts proportional, summing exactly) and disjoint from train, covering it', () => {
    const ds = toy(1100);
    const { train, val } = carveValidation(ds, { size: 0.2, seed: 1 });
    expect(val.n).toBe(220);
    expect(train.n + val.n).toBe(ds.n);
    const expected = proportionalQuota(labelHistogram(ds), 220);
    expect(labelHistogram(val)).toEqual(expected);
    const full = labelHistogram(ds);
    labelHistogram(val).forEach((k, c) => expect(Math.abs(k - (full[c]! * 220) / 1100)).toBeLessThan(1));
    const t = new Set(ids(train));
    expect(ids(val).some((i) => t.has(i))).toBe(false);
    expect([...t, ...ids(val)].sort((x, y) => x - y)).toEqual(ids(ds));
    // Both sides keep the original order.
    expect(ids(val)).toEqual([...ids(val)].sort((x, y) => x - y));
    // Pixels travel with their labels.
    for (let k = 0; k < val.n; k++) expect(val.labels[k]).toBe(ds.labels[val.sourceIndex[k]!]);
  });

  it('keeps byte-identical images on one side', () => {
    const ds = toy(1000, 10);
    const groups = duplicateGroups(ds.images, 4);
    expect(groups.filter((g, i) => g !== i).length).toBe(100);
    for (let seed = 0; seed < 5; seed++) {
      const { val } = carveValidation(ds, { size: 300, seed });
      const inVal = new Set(ids(val));
      for (let i = 0; i < ds.n; i++) expect(inVal.has(i)).toBe(inVal.has(groups[i]!));
    }
  });

  it('default size is 10 % capped at 5,000; 0 disables; bad sizes are ConfigErrors naming `val`', () => {
    expect([defaultValSize(60_000), defaultValSize(1000), defaultValSize(7)]).toEqual([5000, 100, 1]);
    expect(carveValidation(toy(200)).val.n).toBe(20);
    const none = carveValidation(toy(200), { size: 0 });
    expect([none.train.n, none.val.n]).toEqual([200, 0]);
    expect(resolveValSize(200, 0.25)).toBe(50);
    for (const bad of [-1, 200, 2.5, Number.NaN]) expect(() => resolveValSize(200, bad)).toThrow(ConfigError);
    try {
      resolveValSize(200, 500);
    } catch (e) {
      expect(e).toMatchObject({ field: 'val', value: 500 });
    }
  });

  it('stratifiedPick meets quotas exactly or throws when duplicates make them unreachable', () => {
    const labels = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const picked = stratifiedPick(labels, [2, 1], new Rng(3));
    expect([picked.slice(0, 3).reduce((a, b) => a + b, 0), picked.slice(3).reduce((a, b) => a + b, 0)]).toEqual([2, 1]);
    // One group spans all of class 0: a quota of 2 cannot be met without splitting it.
    expect(() => stratifiedPick(labels, [2, 0], new Rng(3), Int32Array.from([0, 0, 0, 3, 4, 5]))).toThrow(ConfigError);
    expect(proportionalQuota([5, 5, 0], 3)).toEqual([2, 1, 0]);
    expect(() => proportionalQuota([1, 1], 3)).toThrow(ConfigError);
  });
});
