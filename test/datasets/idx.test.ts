import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../core/errors.ts';
import { encodeIdx, loadIdxPair, readIdx, readIdxDims } from '../../datasets/idx.ts';
import { idxSetCounts, loadIdxSet } from '../../datasets/idx-set.ts';
import { datasetError, idxImages, idxLabels, tempDir, writeIdxSet } from './helpers.ts';

let dir: string;
let done: () => void;
beforeEach(() => ({ dir, done } = tempDir('nas-idx-')));
afterEach(() => done());

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('IDX reader', () => {
  it('reads a good image/label pair (plain and gzipped) with shape, pixels and labels intact', () => {
    const images = write('img', idxImages(12, 5, 3));
    const labels = write('lab', idxLabels(12, 4));
    const ds = loadIdxPair({ images, labels }, { name: 'toy', numClasses: 4 });
    expect(ds).toMatchObject({ name: 'toy', n: 12, height: 5, width: 3, channels: 1, numClasses: 4 });
    expect(Array.from(ds.labels)).toEqual(Array.from({ length: 12 }, (_, i) => i % 4));
    expect(ds.images[2 * 15 + 4]).toBe((2 * 7 + 4) % 256);
    expect(Array.from(ds.sourceIndex)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const gz = loadIdxPair({ images: write('img.gz', gzipSync(idxImages(12, 5, 3))), labels: write('lab.gz', gzipSync(idxLabels(12, 4))) }, { numClasses: 4 });
    expect(Buffer.compare(gz.images, ds.images)).toBe(0);
    expect(readIdxDims(images)).toEqual([12, 5, 3]);
    expect(readIdx(labels).dims).toEqual([12]);
  });

  it('reads idx4 [n, h, w, c] images as multi-channel', () => {
    const ds = loadIdxPair({ images: write('img4', encodeIdx([2, 2, 2, 3], new Uint8Array(24).fill(9))), labels: write('lab', idxLabels(2)) });
    expect(ds).toMatchObject({ n: 2, height: 2, width: 2, channels: 3 });
  });

  it('missing file → DatasetError naming the file', () => {
    const labels = write('lab', idxLabels(3));
    const e = datasetError(() => loadIdxPair({ images: join(dir, 'nope-idx3-ubyte'), labels }));
    expect(e.file).toBe(join(dir, 'nope-idx3-ubyte'));
    expect(e.problem).toBe('file not found');
    expect(e.message).toContain('nope-idx3-ubyte');
    expect(e.exitCode).toBe(6);
  });

  it.each([
    ['cut inside the data', (b: Buffer) => b.subarray(0, b.length - 5), /truncated: header declares 4×3×3 = 36 data bytes but only 31/],
    ['cut inside the header', (b: Buffer) => b.subarray(0, 9), /truncated: header declares 3 dimensions/],
    ['cut before the header', (b: Buffer) => b.subarray(0, 2), /truncated: 2 bytes/],
    ['trailing bytes', (b: Buffer) => Buffer.concat([b, Buffer.alloc(3)]), /3 unexpected bytes after/],
    ['wrong magic (gzip-less PNG header)', () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), /wrong magic number 0x89504e47/],
    ['wrong magic (unknown type byte)', (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0x42, 3]), b.subarray(4)]), /wrong magic number 0x00004203/],
    ['int32 elements', (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0x0c, 3]), b.subarray(4)]), /unsupported IDX element type 0x0c \(int32\)/],
  ])('%s → DatasetError naming the image file', (_what, mangle, problem) => {
    const images = write('train-images-idx3-ubyte', mangle(idxImages(4, 3, 3)));
    const labels = write('lab', idxLabels(4));
    const e = datasetError(() => loadIdxPair({ images, labels }));
    expect(e.file).toBe(images);
    expect(e.problem).toMatch(problem);
  });

  it('a .gz name over non-gzip data, and a cut-off gzip stream, are named errors', () => {
    const labels = write('lab', idxLabels(4));
    expect(datasetError(() => loadIdxPair({ images: write('a.gz', idxImages(4, 3, 3)), labels })).problem).toMatch(/not gzip data/);
    const gz = gzipSync(idxImages(400, 8, 8));
    const cut = write('b.gz', gz.subarray(0, gz.length >> 1));
    expect(datasetError(() => loadIdxPair({ images: cut, labels })).problem).toMatch(/truncated gzip/);
  });

  it('image/label count mismatch → DatasetError naming the label file and both counts', () => {
    const images = write('img', idxImages(5, 3, 3));
    const labels = write('lab', idxLabels(4));
    const e = datasetError(() => loadIdxPair({ images, labels }));
    expect(e.file).toBe(labels);
    expect(e.problem).toMatch(/label count 4 does not match image count 5/);
    expect(e.details).toMatchObject({ labels: 4, images: 5 });
  });

  it('labels and images swapped, or a label out of range → DatasetError', () => {
    const images = write('img', idxImages(5, 3, 3));
    const labels = write('lab', idxLabels(5));
    expect(datasetError(() => loadIdxPair({ images: labels, labels: images })).problem).toMatch(/expected an idx3 image file/);
    const bad = write('bad-lab', encodeIdx([5], Uint8Array.from([0, 1, 12, 3, 4])));
    expect(datasetError(() => loadIdxPair({ images, labels: bad }, { numClasses: 10 })).problem).toMatch(/label 12 at index 2 is outside \[0, 10\)/);
  });

  it('wrong image size → DatasetError naming the file, the size found and the size expected', () => {
    const images = write('img', idxImages(3, 32, 32));
    const labels = write('lab', idxLabels(3));
    const e = datasetError(() => loadIdxPair({ images, labels }, { expect: { height: 28, width: 28, channels: 1 } }));
    expect(e.file).toBe(images);
    expect(e.problem).toBe('wrong image size 32×32×1, expected 28×28×1');
  });

  it('an IDX set directory: standard names, counts from headers, test checked against train', () => {
    writeIdxSet(dir, 30, 10, 4);
    const { train, test } = loadIdxSet({ dir }, { name: 'toy' });
    expect([train.n, test.n, train.name, test.name]).toEqual([30, 10, 'toy/train', 'toy/test']);
    expect(idxSetCounts({ dir })).toEqual({ train: 30, test: 10, shape: [4, 4, 1] });
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxImages(10, 5, 5));
    expect(datasetError(() => loadIdxSet({ dir })).problem).toMatch(/wrong image size 5×5×1, expected 4×4×1/);
    const e = datasetError(() => loadIdxSet({ dir: join(dir, 'none') }));
    expect(e.problem).toBe('directory not found');
  });
});
