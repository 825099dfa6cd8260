/**
 * Bad-input corpus for architectures (test/fixtures/bad/archs): invalid network archs scored with the
 * shipped supernet, malformed accelerator descriptions and workloads for `nas hw eval`. Each exits
 * with its documented code and a message naming the field or file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const dir = fileURLToPath(new URL('../fixtures/bad/archs/', import.meta.url));
const corpus = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: { file: string; command: string; code: number; message: string }[] };
const work = mkdtempSync(join(tmpdir(), 'nas-bad-archs-'));
const goodWorkload = join(work, 'net.json');
writeFileSync(goodWorkload, JSON.stringify([{ name: 'c', kind: 'conv', n: 1, c: 8, m: 16, h: 8, w: 8, p: 8, q: 8, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 } }]));

function argsFor(command: string, file: string): string[] {
  switch (command) {
    case 'supernet':
      return ['--backend', 'wasm', 'supernet', 'eval', '--checkpoint', fileURLToPath(new URL('../../models/fashion-mnist-supernet', import.meta.url)), '--arch', file, '--val-limit', '10'];
    case 'hw-arch':
      return ['hw', 'eval', '--arch', file, '--workload', goodWorkload];
    case 'hw-workload':
      return ['hw', 'eval', '--arch', 'simple-ws', '--workload', file];
    default:
      throw new Error(`unknown command ${command} in cases.json`);
  }
}

describe('bad arch and hardware files', () => {
  it('a good workload on a preset evaluates (the corpus differs from it only in the bad part)', async () => {
    const r = await runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', goodWorkload, '--json');
    expect(r.code).toBe(0);
  });
  for (const c of corpus.cases) {
    it(`${c.file}: exit ${c.code}, ${c.message}`, async () => {
      const r = await runCli(...argsFor(c.command, join(dir, c.file)));
      expect(r.code).toBe(c.code);
      expect(r.stderr).toMatch(new RegExp(c.message));
      expect(r.stderr).not.toMatch(/internal error/);
    });
  }
});
