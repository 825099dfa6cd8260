/**
 * CIFAR-10 "binary version" batches (www.cs.toronto.edu/~kriz/cifar.html): each record is 1 label
 * byte then 3072 pixel bytes — 1024 red, 1024 green, 1024 blue, each plane 32×32 row-major (CHW).
 * We convert to HWC so every dataset here is NHWC. The standard layout is data_batch_1..5.bin
 * (train, 50,000) and test_batch.bin (10,000), optionally inside `cifar-10-batches-bin/`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../core/errors.ts';
import { fileSize, readBytes } from './files.ts';
import { makeDataset, type ImageDataset } from './types.ts';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILES = ['test_batch.bin'];

export type Cifar10Source = { readonly dir: string } | { readonly train: readonly string[]; readonly test: readonly string[] };

function checkLength(file: string, length: number): number {
  if (length === 0) throw new DatasetError(file, 'empty file: no CIFAR records');
  if (length % CIFAR_RECORD !== 0) {
    const whole = Math.floor(length / CIFAR_RECORD);
    throw new DatasetError(
      file,
      `length ${length} is not a multiple of the ${CIFAR_RECORD}-byte CIFAR record (${whole} records + ${length % CIFAR_RECORD} bytes): truncated or not a CIFAR-10 binary batch`,
      { length, recordBytes: CIFAR_RECORD },
    );
  }
  return length / CIFAR_RECORD;
}

/** Decodes one batch into `images` (HWC) and `labels` starting at record `offset`. */
function decodeInto(bytes: Uint8Array, file: string, images: Uint8Array, labels: Uint8Array, offset: number): number {
  const n = checkLength(file, bytes.length);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  for (let r = 0; r < n; r++) {
    const src = r * CIFAR_RECORD;
    const label = bytes[src] as number;
    if (label >= CIFAR10_CLASSES.length) {
      throw new DatasetError(file, `record ${r} has label ${label}, outside [0, ${CIFAR10_CLASSES.length}): not a CIFAR-10 batch (CIFAR-100 has 2 label bytes)`, { record: r, label });
    }
    labels[offset + r] = label;
    const dst = (offset + r) * CIFAR_PIXELS;
    for (let p = 0; p < plane; p++) {
      images[dst + 3 * p] = bytes[src + 1 + p] as number;
      images[dst + 3 * p + 1] = bytes[src + 1 + plane + p] as number;
      images[dst + 3 * p + 2] = bytes[src + 1 + 2 * plane + p] as number;
    }
  }
  return n;
}

/** Loads and concatenates batches; sourceIndex = record number across the files in order. */
export function loadCifarBatches(files: readonly string[], name: string, classNames: readonly string[] = CIFAR10_CLASSES): ImageDataset {
  const total = files.reduce((acc, f) => acc + checkLength(f, fileSize(f)), 0);
  const images = new Uint8Array(total * CIFAR_PIXELS);
  const labels = new Uint8Array(total);
  let at = 0;
  for (const f of files) at += decodeInto(readBytes(f), f, images, labels, at);
  return makeDataset({ name, images, labels, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: 3, numClasses: CIFAR10_CLASSES.length, classNames });
}

export interface Cifar10Files {
  readonly train: readonly string[];
  readonly test: readonly string[];
  /** Class names from batches.meta.txt when present. */
  readonly classNames: readonly string[];
}

/** The batch files of a source; a directory must hold all six standard files. */
export function resolveCifar10(source: Cifar10Source): Cifar10Files {
  if (!('dir' in source)) {
    if (source.train.length === 0) throw new DatasetError('<cifar10 train files>', 'no training batch files given');
    if (source.test.length === 0) throw new DatasetError('<cifar10 test files>', 'no test batch files given');
    return { train: source.train, test: source.test, classNames: CIFAR10_CLASSES };
  }
  let dir = source.dir;
  if (!existsSync(dir)) throw new DatasetError(dir, 'directory not found');
  if (!statSync(dir).isDirectory()) throw new DatasetError(dir, 'is a file, expected the CIFAR-10 batches directory');
  const nested = join(dir, 'cifar-10-batches-bin');
  if (!existsSync(join(dir, CIFAR10_TEST_FILES[0] as string)) && existsSync(nested)) dir = nested;
  const train = CIFAR10_TRAIN_FILES.map((f) => join(dir, f));
  const test = CIFAR10_TEST_FILES.map((f) => join(dir, f));
  for (const f of [...train, ...test]) fileSize(f);
  return { train, test, classNames: readMetaNames(join(dir, 'batches.meta.txt')) };
}

function readMetaNames(file: string): readonly string[] {
  if (!existsSync(file)) return CIFAR10_CLASSES;
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== CIFAR10_CLASSES.length) {
    throw new DatasetError(file, `lists ${names.length} class names, CIFAR-10 has ${CIFAR10_CLASSES.length}`);
  }
  return names;
}

export function loadCifar10(source: Cifar10Source): { train: ImageDataset; test: ImageDataset } {
  const files = resolveCifar10(source);
  return {
    train: loadCifarBatches(files.train, 'cifar10/train', files.classNames),
    test: loadCifarBatches(files.test, 'cifar10/test', files.classNames),
  };
}

/** Counts from file sizes alone. */
export function cifar10Counts(source: Cifar10Source): { train: number; test: number; classNames: readonly string[] } {
  const files = resolveCifar10(source);
  const count = (fs: readonly string[]) => fs.reduce((acc, f) => acc + checkLength(f, fileSize(f)), 0);
  return { train: count(files.train), test: count(files.test), classNames: files.classNames };
}
