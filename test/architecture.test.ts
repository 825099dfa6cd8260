/**
 * The layering of docs/architecture.md, enforced: every import of every source file (product code,
 * tests, benchmarks, scripts) points where the layer table allows — the table is parsed from the doc,
 * the one source of truth — no source file outside test/ is longer than 400 lines, randomness goes
 * through core/rng.ts only, and every layer folder opens with a README.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TFJS, checkImport, layerOf, lineCount, parseLayerTable, read, sourceFiles, specifiers, type Violation } from './architecture/layering.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const table = parseLayerTable(read(ROOT, 'docs/architecture.md'));
const files = sourceFiles(ROOT);
const MAX_LINES = 400;
// Built from parts so this file does not match its own search.
const RANDOM = new RegExp(['Math', 'random'].join('\\.'));

describe('the layer table of docs/architecture.md', () => {
  it('has a row for every folder holding source files, naming only known layers', () => {
    const folders = new Set(files.map(layerOf).filter((l) => l !== '.'));
    expect([...folders].filter((f) => !table.has(f))).toEqual([]);
    for (const [layer, allowed] of table) {
      expect([...allowed].filter((a) => a !== TFJS && !table.has(a)), `row ${layer}`).toEqual([]);
    }
  });

  it('every layer folder opens with a README.md', () => {
    expect([...table.keys()].filter((f) => !existsSync(join(ROOT, f, 'README.md')))).toEqual([]);
  });
});

describe('source files', () => {
  it(`import only what their layer may (${files.length} files)`, () => {
    const violations: Violation[] = [];
    for (const file of files) {
      for (const spec of specifiers(read(ROOT, file))) {
        const v = checkImport(table, file, spec);
        if (v) violations.push(v);
      }
    }
    expect(violations.map((v) => `${v.file}: '${v.specifier}' — ${v.problem}`)).toEqual([]);
  });

  it(`outside test/ are at most ${MAX_LINES} lines`, () => {
    const long = files.filter((f) => layerOf(f) !== 'test').map((f) => [f, lineCount(read(ROOT, f))] as const).filter(([, n]) => n > MAX_LINES);
    expect(long.map(([f, n]) => `${f}: ${n} lines`)).toEqual([]);
  });

  it('draw randomness from core/rng.ts only', () => {
    expect(files.filter((f) => f !== 'core/rng.ts' && RANDOM.test(read(ROOT, f)))).toEqual([]);
  });
});

describe('the checker itself rejects what it should', () => {
  const t = parseLayerTable([
    '<!-- layers:begin -->', '| folder | owns | may import |', '|---|---|---|',
    '| `core` | words | — |', '| `strategies` | search | `core` |', '| `runtime` | tensors | `core`, `tfjs` |', '<!-- layers:end -->',
  ].join('\n'));

  it('parses rows, an em dash meaning nothing', () => {
    expect(t.get('core')?.size).toBe(0);
    expect([...(t.get('runtime') ?? [])]).toEqual(['core', 'tfjs']);
  });

  it('flags an import up the table, a tfjs package where tensors are not allowed, a path outside the repository', () => {
    expect(checkImport(t, 'strategies/a.ts', '../runtime/tf.ts')?.problem).toMatch(/strategies may not import runtime/);
    expect(checkImport(t, 'core/x.ts', '../strategies/a.ts')?.problem).toMatch(/core may not import strategies/);
    expect(checkImport(t, 'strategies/a.ts', '@tensorflow/tfjs-core')?.problem).toMatch(/may not import tfjs/);
    expect(checkImport(t, 'strategies/a.ts', '../../shared/x.ts')?.problem).toMatch(/outside the repository/);
    expect(checkImport(t, 'nowhere/a.ts', '../core/rng.ts')?.problem).toMatch(/no row/);
  });

  it('lets a layer import itself, the layers below it, node: built-ins and other npm packages', () => {
    expect(checkImport(t, 'strategies/a/b.ts', '../c.ts')).toBeNull();
    expect(checkImport(t, 'strategies/a.ts', '../core/rng.ts')).toBeNull();
    expect(checkImport(t, 'runtime/tf.ts', '@tensorflow/tfjs-core')).toBeNull();
    expect(checkImport(t, 'core/rng.ts', 'seedrandom')).toBeNull();
    expect(checkImport(t, 'core/rng.ts', 'node:fs')).toBeNull();
  });

  it('reads type-only and dynamic imports and re-exports, never comments or strings', () => {
    const text = [
      "// import { tf } from '../runtime/tf.ts';", "const s = \"import x from '../a.ts'\";",
      "import type { A } from '../b.ts';", "export { c } from './c.ts';", "const d = await import('../d.ts');",
    ].join('\n');
    expect(specifiers(text)).toEqual(['../b.ts', './c.ts', '../d.ts']);
  });
});
