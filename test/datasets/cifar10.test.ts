import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../core/errors.ts';
import { CIFAR10_CLASSES, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, CIFAR_RECORD, cifar10Counts, loadCifar10, loadCifarBatches } from '../../datasets/cifar10.ts';
import { cifarBatch, datasetError, tempDir } from './helpers.ts';

let dir: string;
let done: () => void;
beforeEach(() => ({ dir, done } = tempDir('nas-cifar-')));
afterEach(() => done());

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function writeStandard(root: string, perBatch: number): void {
  mkdirSync(root, { recursive: true });
  CIFAR10_TRAIN_FILES.forEach((f, i) => writeFileSync(join(root, f), cifarBatch(perBatch, i)));
  for (const f of CIFAR10_TEST_FILES) writeFileSync(join(root, f), cifarBatch(perBatch, 3));
}

describe('CIFAR-10 binary batches', () => {
  it('decodes records: label byte, then R/G/B planes converted to HWC; batches concatenate in order', () => {
    const a = write('a.bin', cifarBatch(3));
    const b = write('b.bin', cifarBatch(2, 5));
    const ds = loadCifarBatches([a, b], 'toy');
    expect(ds).toMatchObject({ name: 'toy', n: 5, height: 32, width: 32, channels: 3, numClasses: 10 });
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 5, 6]);
    const size = 32 * 32 * 3;
    const px = (i: number, y: number, x: number) => Array.from(ds.images.subarray(i * size + (y * 32 + x) * 3, i * size + (y * 32 + x) * 3 + 3));
    expect(px(2, 0, 5)).toEqual([2, 5, 253]);
    expect(px(1, 3, 7)).toEqual([1, (3 * 32 + 7) % 256, 254]);
    expect(px(4, 31, 31)).toEqual([1, (31 * 32 + 31 + 5) % 256, 254]);
    expect(Array.from(ds.sourceIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('missing file → DatasetError naming it', () => {
    const e = datasetError(() => loadCifarBatches([join(dir, 'data_batch_9.bin')], 'x'));
    expect(e.file).toBe(join(dir, 'data_batch_9.bin'));
    expect(e.problem).toBe('file not found');
  });

  it('truncated batch (not a whole number of 3073-byte records) → DatasetError with the arithmetic', () => {
    const f = write('data_batch_1.bin', cifarBatch(3).subarray(0, 2 * CIFAR_RECORD + 100));
    const e = datasetError(() => loadCifarBatches([f], 'x'));
    expect(e.file).toBe(f);
    expect(e.problem).toMatch(/length 6246 is not a multiple of the 3073-byte CIFAR record \(2 records \+ 100 bytes\): truncated/);
  });

  it('empty batch, or a label byte ≥ 10 (wrong format, e.g. CIFAR-100) → DatasetError', () => {
    expect(datasetError(() => loadCifarBatches([write('e.bin', new Uint8Array(0))], 'x')).problem).toMatch(/empty file/);
    const bytes = cifarBatch(2);
    bytes[CIFAR_RECORD] = 57;
    const f = write('c100.bin', bytes);
    const e = datasetError(() => loadCifarBatches([f], 'x'));
    expect(e.file).toBe(f);
    expect(e.problem).toMatch(/record 1 has label 57/);
  });

  it('a standard directory (also nested cifar-10-batches-bin/) loads train 5 batches and test; counts from sizes', () => {
    writeStandard(join(dir, 'cifar-10-batches-bin'), 4);
    const { train, test } = loadCifar10({ dir });
    expect([train.n, test.n]).toEqual([20, 4]);
    expect(train.classNames).toEqual(CIFAR10_CLASSES);
    expect(cifar10Counts({ dir })).toMatchObject({ train: 20, test: 4 });
    writeFileSync(join(dir, 'cifar-10-batches-bin', 'batches.meta.txt'), CIFAR10_CLASSES.map((c) => c.toUpperCase()).join('\n') + '\n\n');
    expect(loadCifar10({ dir }).test.classNames[0]).toBe('AIRPLANE');
  });

  it('a directory missing a batch, or a bad meta file → DatasetError naming that file', () => {
    writeStandard(dir, 2);
    rmSync(join(dir, 'data_batch_3.bin'));
    expect(datasetError(() => loadCifar10({ dir })).file).toBe(join(dir, 'data_batch_3.bin'));
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBatch(2));
    writeFileSync(join(dir, 'batches.meta.txt'), 'cat\ndog\n');
    expect(datasetError(() => loadCifar10({ dir })).problem).toMatch(/lists 2 class names/);
    expect(datasetError(() => loadCifar10({ train: [], test: ['x'] })).problem).toMatch(/no training batch/);
  });
});
