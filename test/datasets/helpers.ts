/** Small generated dataset files for the loader tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx } from '../../datasets/idx.ts';
import { CIFAR_PIXELS, CIFAR_RECORD } from '../../datasets/cifar10.ts';
import { expect } from 'vitest';
import { DatasetError } from '../../core/errors.ts';

export function tempDir(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** n images of h×w whose pixel j of image i is (i * 7 + j) % 256, labels i % classes. */
export function idxImages(n: number, h: number, w: number): Buffer {
  return encodeIdx([n, h, w], Uint8Array.from({ length: n * h * w }, (_, k) => (Math.floor(k / (h * w)) * 7 + (k % (h * w))) % 256));
}

export function idxLabels(n: number, classes = 10): Buffer {
  return encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % classes));
}

/** Writes train/test IDX files with the standard names into `dir`. */
export function writeIdxSet(dir: string, nTrain: number, nTest: number, side = 4): void {
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxImages(nTrain, side, side));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxLabels(nTrain));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxImages(nTest, side, side));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxLabels(nTest));
}

/** CIFAR-10 records: label (firstLabel + r) % 10; red plane = r, green = (pixel index + firstLabel) % 256, blue = 255 - r. */
export function cifarBatch(records: number, firstLabel = 0): Buffer {
  const out = Buffer.alloc(records * CIFAR_RECORD);
  const plane = CIFAR_PIXELS / 3;
  for (let r = 0; r < records; r++) {
    const at = r * CIFAR_RECORD;
    out[at] = (firstLabel + r) % 10;
    for (let p = 0; p < plane; p++) {
      out[at + 1 + p] = r % 256;
      out[at + 1 + plane + p] = (p + firstLabel) % 256;
      out[at + 1 + 2 * plane + p] = 255 - (r % 256);
    }
  }
  return out;
}

/** Runs `fn` and returns the DatasetError it throws (failing the test if none is thrown). */
export function datasetError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}
