/**
 * Fashion-MNIST: the split and cache logic on a small generated source (same file format as the
 * package), then exactly one load of the real package data.
 */
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../core/errors.ts';
import { fashionMnistCachePath, fashionMnistCounts, loadFashionMnist, FASHION_MNIST_TEST_PER_CLASS } from '../../datasets/fashion-mnist.ts';
import { duplicateGroups } from '../../datasets/split.ts';
import { datasetChecksum, labelHistogram, type ImageDataset } from '../../datasets/types.ts';
import { tempDir } from './helpers.ts';

const PER_CLASS = FASHION_MNIST_TEST_PER_CLASS + 4;
let root: string;
let done: () => void;
let src: string;

/** {0..9}.json with PER_CLASS unique 28×28 rows each; 0.json also has an empty row, like the package. */
function writeSource(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const zeros = new Array<number>(784 - 3).fill(0).join(',');
  for (let c = 0; c < 10; c++) {
    const rows = Array.from({ length: PER_CLASS }, (_, i) => `[${c},${i & 255},${i >> 8},${zeros}]`);
    if (c === 0) rows.splice(5, 0, '[]');
    writeFileSync(join(dir, `${c}.json`), `{"data":[${rows.join(',\n')}]}`);
  }
}

beforeAll(() => {
  ({ dir: root, done } = tempDir('nas-fmnist-'));
  src = join(root, 'src');
  writeSource(src);
});
afterAll(() => done());

const sorted = (ds: ImageDataset) => Array.from(ds.sourceIndex).sort((a, b) => a - b);

function checkSplit(train: ImageDataset, test: ImageDataset, perClass: number): void {
  expect(labelHistogram(test)).toEqual(new Array(10).fill(FASHION_MNIST_TEST_PER_CLASS));
  expect(labelHistogram(train)).toEqual(new Array(10).fill(perClass - FASHION_MNIST_TEST_PER_CLASS));
  // Disjoint, and together exactly the source (sourceIndex 0..N-1).
  expect([...sorted(train), ...sorted(test)].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 * perClass }, (_, i) => i));
}

describe('Fashion-MNIST split and cache (generated source)', () => {
  it('splits 1,000 test images per class, the rest train; empty rows skipped; cache built then reused', () => {
    const cacheDir = join(root, 'cache-a');
    const first = loadFashionMnist({ sourceDir: src, cacheDir, seed: 3 });
    expect(first.cache).toEqual({ path: fashionMnistCachePath({ cacheDir, seed: 3 }), status: 'built' });
    expect(existsSync(first.cache.path!)).toBe(true);
    expect([first.train.n, first.test.n, first.train.name, first.test.name]).toEqual([40, 10_000, 'fashion-mnist/train', 'fashion-mnist/test']);
    checkSplit(first.train, first.test, PER_CLASS);
    // Labels come from the file a row is in; the generated pixel 0 is the class.
    for (const ds of [first.train, first.test]) for (let k = 0; k < ds.n; k++) expect(ds.images[k * 784]).toBe(ds.labels[k]);

    const second = loadFashionMnist({ sourceDir: src, cacheDir, seed: 3 });
    expect(second.cache.status).toBe('hit');
    expect(datasetChecksum(second.train)).toBe(datasetChecksum(first.train));
    expect(datasetChecksum(second.test)).toBe(datasetChecksum(first.test));
    expect(Array.from(second.test.sourceIndex)).toEqual(Array.from(first.test.sourceIndex));
    expect(fashionMnistCounts({ cacheDir, seed: 3 })).toEqual({ train: 40, test: 10_000, via: 'cache' });
  });

  it('same seed ⇒ same split without a cache; another seed ⇒ another split and another cache file', () => {
    const a = loadFashionMnist({ sourceDir: src, cacheDir: null, seed: 3 });
    const b = loadFashionMnist({ sourceDir: src, cacheDir: null, seed: 3 });
    const c = loadFashionMnist({ sourceDir: src, cacheDir: null, seed: 4 });
    expect(a.cache.status).toBe('disabled');
    expect(datasetChecksum(a.test)).toBe(datasetChecksum(b.test));
    expect(sorted(c.test)).not.toEqual(sorted(a.test));
    checkSplit(c.train, c.test, PER_CLASS);
    expect(fashionMnistCachePath({ cacheDir: '/x', seed: 4 })).not.toBe(fashionMnistCachePath({ cacheDir: '/x', seed: 3 }));
  });

  it.each([
    ['a flipped payload byte', (f: string) => flip(f, statSync(f).size - 100), /checksum mismatch/],
    ['a truncated file', (f: string) => truncateSync(f, statSync(f).size - 4096), /truncated cache/],
    ['a cut-off header', (f: string) => truncateSync(f, 20), /truncated cache: header cut off/],
    ['another file format', (f: string) => writeFileSync(f, 'not a cache at all, just text'), /wrong magic number/],
    ['an edited header (numClasses)', (f: string) => editHeader(f, '"numClasses":10', '"numClasses":11'), /checksum mismatch/],
    ['an edited header (n)', (f: string) => editHeader(f, '"n":40,', '"n":41,'), /checksum mismatch/],
  ])('%s is detected and the cache rebuilt, not trusted', (_what, damage, reason) => {
    const cacheDir = join(root, `cache-${_what.replace(/\W+/g, '-')}`);
    const good = loadFashionMnist({ sourceDir: src, cacheDir, seed: 3 });
    damage(good.cache.path!);
    const again = loadFashionMnist({ sourceDir: src, cacheDir, seed: 3 });
    expect(again.cache.status).toBe('rebuilt');
    expect(again.cache.reason).toMatch(reason);
    expect(datasetChecksum(again.test)).toBe(datasetChecksum(good.test));
    expect(datasetChecksum(again.train)).toBe(datasetChecksum(good.train));
    expect(loadFashionMnist({ sourceDir: src, cacheDir, seed: 3 }).cache.status).toBe('hit');
  });

  it('a changed source invalidates the cache; an unwritable cache location still returns the data', () => {
    const copy = join(root, 'src-copy');
    writeSource(copy);
    const cacheDir = join(root, 'cache-src');
    expect(loadFashionMnist({ sourceDir: copy, cacheDir }).cache.status).toBe('built');
    writeFileSync(join(copy, '9.json'), readFileSync(join(copy, '9.json'), 'utf8').replace('[9,0,0,', '[9,0,1,'));
    expect(loadFashionMnist({ sourceDir: copy, cacheDir }).cache).toMatchObject({ status: 'rebuilt', reason: 'source files changed' });
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const r = loadFashionMnist({ sourceDir: copy, cacheDir: join(blocker, 'sub') });
    expect(r.cache.status).toBe('unwritable');
    expect(r.test.n).toBe(10_000);
  });

  it('a malformed source file → DatasetError naming it (row length, truncation, missing file)', () => {
    const bad = join(root, 'src-bad');
    writeSource(bad);
    const f3 = join(bad, '3.json');
    writeFileSync(f3, '{"data":[[1,2,3]]}');
    expect(() => loadFashionMnist({ sourceDir: bad, cacheDir: null })).toThrow(DatasetError);
    expect(() => loadFashionMnist({ sourceDir: bad, cacheDir: null })).toThrow(`${f3}: row 0 has 3 values, expected 784`);
    writeFileSync(f3, readFileSync(join(src, '3.json')).subarray(0, 5000));
    expect(() => loadFashionMnist({ sourceDir: bad, cacheDir: null })).toThrow(/3\.json: truncated JSON/);
    writeFileSync(f3, '{"data":[[' + new Array(784).fill(300).join(',') + ']]}');
    expect(() => loadFashionMnist({ sourceDir: bad, cacheDir: null })).toThrow(/row 0 value 0 is 300/);
    expect(() => loadFashionMnist({ sourceDir: join(root, 'nowhere'), cacheDir: null })).toThrow(/0\.json: file not found/);
  });
});

function flip(file: string, at: number): void {
  const b = readFileSync(file);
  b[at] = b[at]! ^ 0xff;
  writeFileSync(file, b);
}

function editHeader(file: string, from: string, to: string): void {
  const b = readFileSync(file);
  const at = b.indexOf(from, 0, 'latin1');
  expect(at).toBeGreaterThan(0);
  b.write(to, at, 'latin1');
  writeFileSync(file, b);
}

describe('Fashion-MNIST from the fashion-mnist package (one real load)', () => {
  it('70,000 images split 60,000 / 10,000, stratified 6,000 / 1,000 per class, no image on both sides; cached', () => {
    const { dir: cacheDir, done: rm } = tempDir('nas-fmnist-real-');
    try {
      const r = loadFashionMnist({ cacheDir });
      expect(r.cache.status).toBe('built');
      expect([r.train.n, r.test.n]).toEqual([60_000, 10_000]);
      expect([r.train.height, r.train.width, r.train.channels]).toEqual([28, 28, 1]);
      checkSplit(r.train, r.test, 7000);
      // Duplicate pixels (54 in the package) never straddle train and test.
      const both = new Uint8Array(70_000 * 784);
      both.set(r.train.images);
      both.set(r.test.images, r.train.images.length);
      const groups = duplicateGroups(both, 784);
      let dups = 0;
      groups.forEach((g, i) => {
        if (g !== i) {
          dups++;
          expect(g < 60_000).toBe(i < 60_000);
        }
      });
      expect(dups).toBe(54);
      const cached = loadFashionMnist({ cacheDir });
      expect(cached.cache.status).toBe('hit');
      expect(datasetChecksum(cached.test)).toBe(datasetChecksum(r.test));
    } finally {
      rm();
    }
  });
});

describe('dataset cache file', () => {
  it('a header that is consistent with its checksum but not with its payload is still refused', async () => {
    const { readDatasetCache, writeDatasetCache } = await import('../../datasets/cache.ts');
    const { makeDataset } = await import('../../datasets/types.ts');
    const { dir, done: rm } = tempDir('nas-cache-');
    try {
      const ds = makeDataset({ name: 'x', images: new Uint8Array(8), labels: Uint8Array.from([0, 1]), height: 2, width: 2, channels: 1, numClasses: 2, classNames: ['a', 'b'] });
      const file = join(dir, 'c.bin');
      writeDatasetCache(file, { k: 1 }, [ds, ds]);
      expect(readDatasetCache(file).datasets.map((d) => d.n)).toEqual([2, 2]);
      // Writing a cache whose class names disagree with numClasses is caught on read as a DatasetError.
      writeDatasetCache(file, { k: 1 }, [{ ...ds, classNames: ['a'] }]);
      expect(() => readDatasetCache(file)).toThrow(/corrupt cache header: classNames/);
    } finally {
      rm();
    }
  });
});
