/** The dataset part of the bad-input corpus (test/fixtures/bad/datasets/cases.json). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../core/errors.ts';
import { loadCifarBatches } from '../../datasets/cifar10.ts';
import { loadIdxPair } from '../../datasets/idx.ts';
import { parsePixelRows } from '../../datasets/json-pixels.ts';

const dir = fileURLToPath(new URL('../fixtures/bad/datasets/', import.meta.url));
interface Case { name: string; loader: 'idx' | 'cifar10' | 'json-pixels'; images?: string; labels?: string; files?: string[]; file: string; problem: string }
const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: Case[] };
const at = (f: string) => join(dir, f);

function load(c: Case): unknown {
  switch (c.loader) {
    case 'idx':
      return loadIdxPair({ images: at(c.images!), labels: at(c.labels!) }, { expect: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    case 'cifar10':
      return loadCifarBatches(c.files!.map(at), 'bad');
    case 'json-pixels':
      return parsePixelRows(readFileSync(at(c.files![0]!)), at(c.files![0]!), 784);
  }
}

describe('bad dataset corpus', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));

  it.each(cases.map((c) => [c.name, c] as const))('%s → DatasetError naming the file and problem, exit code 6', (_name, c) => {
    let err: unknown;
    try {
      load(c);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    const e = err as DatasetError;
    expect(e.file).toBe(at(c.file));
    expect(e.problem).toContain(c.problem);
    expect(e.message).toContain(c.file);
    expect(e.exitCode).toBe(6);
  });
});
