/**
 * `nas hw eval` through the real CLI: every refusal with its exit code and a message naming the
 * flag, field or violation (missing paths 3, inconsistent layer shapes 4, mappings that do not fit
 * or pad 9 listing every violation), and the mapspace options (--constraints, --mapspace free,
 * --budget, --allow-padding, --mac-leakage).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.ts';
import { REF_ROOT } from './timeloop-stats.ts';
import { needsReferenceData } from '../reference-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-hw-cli-'));
const file = (name: string, text: string): string => { const f = join(dir, name); writeFileSync(f, text); return f; };
const conv = { name: 'c', kind: 'conv', n: 1, c: 8, m: 16, h: 8, w: 8, p: 8, q: 8, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 } };
const net = file('net.json', JSON.stringify([conv]));
const subdir = join(dir, 'a-directory');
mkdirSync(subdir);

interface Report { mapspace: string; energyPj: number; layers: { mapping: string; mappedBy: { mapper?: { evaluations: number } } }[] }
const evalJson = async (...args: string[]): Promise<Report> => {
  const r = await runCli('hw', 'eval', '--workload', net, '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
};

describe('nas hw eval: missing or wrong paths are config errors (exit 3) naming the flag and the path', () => {
  const cases: [string, string[], RegExp][] = [
    ['--arch file', ['--arch', join(dir, 'nope.yaml'), '--workload', net], /--arch: no such file \(got ".*nope\.yaml"\)/],
    ['--arch directory', ['--arch', subdir, '--workload', net], /--arch: is a directory, not a file/],
    ['--workload .yaml', ['--arch', 'simple-ws', '--workload', join(dir, 'nope.prob.yaml')], /--workload: no such file/],
    ['--workload directory', ['--arch', 'simple-ws', '--workload', subdir], /--workload: is a directory/],
    ['--mapping', ['--arch', 'simple-ws', '--workload', net, '--mapping', join(dir, 'nope.map.yaml')], /--mapping: no such file/],
    ['--constraints', ['--arch', 'simple-ws', '--workload', net, '--constraints', join(dir, 'nope.yaml')], /--constraints: no such file/],
    ['--constraints directory', ['--arch', 'simple-ws', '--workload', net, '--constraints', subdir], /--constraints: is a directory/],
    ['--ert that is a file', ['--arch', 'simple-ws', '--workload', net, '--ert', net], /--ert: is a file, not a directory/],
    ['--mapspace bogus', ['--arch', 'simple-ws', '--workload', net, '--mapspace', 'bogus'], /--mapspace: must be one of constrained, free/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, async () => {
      const r = await runCli('hw', 'eval', ...args);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(msg);
    });
  }

  it('--mapspace free with --constraints is a contradiction', async () => {
    const c = file('c0.yaml', 'targets: []\n');
    const r = await runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', net, '--constraints', c, '--mapspace', 'free');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--mapspace: contradicts --constraints/);
  });
});

describe('nas hw eval: layer shapes must agree (exit 4, naming the field)', () => {
  const cases: [string, object, RegExp][] = [
    ['p that ignores the stride', { ...conv, stride: 2 }, /--workload layers\[0\]\.p must be floor\(\(h \+ 2·padding − r\) \/ stride\) \+ 1 = 4 .*\(got 8\)/],
    ['q that ignores the padding', { ...conv, padding: 0, p: 6 }, /--workload layers\[0\]\.q must be .* = 6/],
    ['groups that do not divide the channels', { ...conv, groups: 3 }, /--workload layers\[0\]\.groups must divide c=8 and m=16/],
    ['a depthwise layer whose groups are not its channels', { ...conv, kind: 'depthwise', m: 8, groups: 1 }, /layers\[0\]\.groups must equal c=8/],
  ];
  for (const [what, layer, msg] of cases) {
    it(what, async () => {
      const r = await runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', file('bad-shape.json', JSON.stringify([layer])));
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(msg);
    });
  }
});

describe('nas hw eval --mapping: a mapping that cannot run is refused (exit 9) with every violation', () => {
  // simple-ws: 16×16 PEs, a 2-word weight register per PE, GLB fan-out M along X and C/R/S along Y.
  const withMapping = (name: string, directives: string[], ...extra: string[]) =>
    runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', net, '--mapping', file(name, ['mapping:', ...directives.map((d) => `  - ${d}`)].join('\n')), ...extra);

  it('over capacity, over the fan-out along X, over the instances and the MACs, against the constraints', async () => {
    const r = await withMapping('too-big.map.yaml', [
      '{target: weight_reg, type: temporal, factors: R=3 S=3, permutation: RS}',
      '{target: GLB, type: spatial, factors: M=16 P=8 C=8, permutation: MPC, split: 2}',
      '{target: DRAM, type: temporal, factors: Q=8}',
    ]);
    expect(r.code).toBe(9);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(r.stderr).toMatch(new RegExp(`cannot be evaluated on simple-ws \\(${listed.length} violations\\)`));
    for (const v of [
      /weight_reg: tiles need 9 words > capacity 2/, /weight_reg: mapping uses 1024 instances > 256/, /mac: mapping uses 1024 MACs > 256/,
      /GLB: spatial X loops span 128 > fan-out 16 along X/, /GLB.spatial\(GLB X\): factor P=8 breaks P=1/,
    ]) expect(listed.some((l) => v.test(l)), String(v)).toBe(true);
  });

  it('padding is refused unless --allow-padding', async () => {
    const padded = ['{target: GLB, type: spatial, factors: M=16 C=3, permutation: MC, split: 1}', '{target: DRAM, type: temporal, factors: C=3 P=8 Q=8 R=3 S=3}'];
    const r = await withMapping('padded.map.yaml', padded);
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/C: loop bounds multiply to 9 > problem bound 8 \(padding\) — pass --allow-padding to accept it/);
    expect((await withMapping('padded.map.yaml', padded, '--allow-padding', '--json')).code).toBe(0);
  });

  it('a mapping that covers too little is refused naming every short dimension', async () => {
    const r = await withMapping('short.map.yaml', ['{target: DRAM, type: temporal, factors: M=16 C=8 P=8}']);
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/mapping covers Q=1 < problem bound 8, R=1 < problem bound 3, S=1 < problem bound 3/);
  });
});

describe('nas hw eval: mapspace options', () => {
  it('a --constraints file is honoured; a bad one is refused naming the field (exit 9)', async () => {
    const c = file('ws.constraints.yaml', 'mapspace_constraints:\n  targets:\n    - {target: GLB, type: spatial, factors: M=8 C=2}\n');
    const r = await evalJson('--arch', 'simple-ws', '--constraints', c);
    expect(r.layers[0]?.mapping).toMatch(/for M in \[0:8\) \(Spatial-X\)/);
    expect(r.layers[0]?.mapping).toMatch(/for C in \[0:2\) \(Spatial-Y\)/);
    const bad = file('bad.constraints.yaml', 'targets:\n  - {target: GLB, type: spatial, factors: M=eight}\n');
    const b = await runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', net, '--constraints', bad);
    expect(b.code).toBe(9);
    expect(b.stderr).toMatch(/bad\.constraints\.yaml: targets\[0\] \(GLB\)\.factors must look like R=3/);
  });

  it('the eyeriss preset maps inside its row-stationary constraints by default; --mapspace free drops them', async () => {
    expect((await evalJson('--arch', 'eyeriss')).mapspace).toBe('constrained');
    expect((await evalJson('--arch', 'eyeriss', '--mapspace', 'free')).mapspace).toBe('free');
  });

  it('--budget bounds the mapper\'s candidates per layer', async () => {
    const r = await evalJson('--arch', 'simple-ws', '--budget', '40');
    expect(r.layers[0]?.mappedBy.mapper?.evaluations).toBeLessThanOrEqual(40);
    const bad = await runCli('hw', 'eval', '--arch', 'simple-ws', '--workload', net, '--budget', '0');
    expect(bad.code).toBe(3);
  });

  it.skipIf(!REF_ROOT)(`MAC leakage is not charged unless --mac-leakage (Timeloop charges none)${needsReferenceData('timeloop-ref-outputs')}`, async () => {
    const d = join(REF_ROOT as string, 'eyeriss_like');
    const map = join(d, 'timeloop-mapper.map.txt');
    const one = file('ref.json', JSON.stringify([{ ...conv, c: 3, m: 32, h: 224, w: 224, p: 112, q: 112, stride: 2, padding: 1 }]));
    const run = async (...extra: string[]): Promise<number> => {
      const r = await runCli('hw', 'eval', '--arch', join(d, 'arch.yaml'), '--workload', one, '--mapping', map, '--json', ...extra);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as Report).energyPj;
    };
    // eyeriss_like's MAC leaks 0.002374 pJ per cycle; the mapping runs 126 MACs for 86,016 cycles.
    expect((await run('--mac-leakage')) - (await run())).toBeCloseTo(0.002374 * 126 * 86016, 3);
  });
});
