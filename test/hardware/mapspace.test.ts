/**
 * Mapspace constraints: the Timeloop-syntax parsers, each kind of constraint in the validator (one
 * mapping that keeps it, one that breaks it, with the message), errors naming the field on bad
 * input, and the mapper returning only mappings that pass the validator.
 */
import { describe, expect, it } from 'vitest';
import { HardwareError } from '../../core/errors.ts';
import type { LayerSpec } from '../../core/types.ts';
import { mapLayer } from '../../hardware/mapper/mapper.ts';
import { hasLoopConstraints, withoutLoopConstraints } from '../../hardware/mapspace/constraints.ts';
import { compileMapspace } from '../../hardware/mapspace/compile.ts';
import { constraintViolations, paddingViolations } from '../../hardware/mapspace/validate.ts';
import type { Loop, Mapping } from '../../hardware/model/mapping.ts';
import { buildArch, preset, type LevelSpec } from '../../hardware/presets.ts';
import type { ArchSpec } from '../../hardware/spec.ts';
import { applyConstraintDoc } from '../../hardware/timeloop/constraints.ts';
import { parseFactorList, parsePermutationList } from '../../hardware/timeloop/directives.ts';
import { fromLayer, type Problem } from '../../hardware/workload.ts';

const layer: LayerSpec = {
  name: 'l', kind: 'conv', n: 1, c: 8, m: 16, h: 8, w: 8, p: 8, q: 8, r: 3, s: 3, stride: 1, groups: 1, padding: 1,
  bits: { weights: 8, inputs: 8, outputs: 8 },
};
const p = fromLayer(layer);
const D = (name: string): number => p.dims.indexOf(name);

/** A 4×4 array: per-PE register file, shared buffer, DRAM. */
function arch(extra: Partial<Record<'rf' | 'glb', Partial<LevelSpec>>> = {}): ArchSpec {
  return buildArch({
    name: 'tiny', description: 'test', source: 'test design', rows: 4, cols: 4, macBits: 8, macPj: 0.2, clockGHz: 1, technologyNm: 45,
    levels: [
      { name: 'rf', words: 64, wordBits: 8, perPe: true, readPj: 0.1, writePj: 0.1, ...extra.rf },
      { name: 'glb', words: 65536, wordBits: 8, perPe: false, readPj: 2, writePj: 2, ...extra.glb },
      { name: 'DRAM', words: Infinity, wordBits: 8, perPe: false, readPj: 100, writePj: 100 },
    ],
  });
}

const constrain = (a: ArchSpec, targets: unknown[]): ArchSpec => applyConstraintDoc(a, new Map(), { mapspace_constraints: { targets } }, 'c.yaml');

/** rf: the given temporal loops; glb: spatial loops; DRAM: whatever remains. Keeps everything. */
function mapping(rf: Loop[], glbSpatial: Loop[], glbTemporal: Loop[] = []): Mapping {
  const prod = p.dims.map(() => 1);
  for (const l of [...rf, ...glbSpatial, ...glbTemporal]) prod[l.dim] = (prod[l.dim] ?? 1) * l.bound;
  const dram: Loop[] = p.dims.map((_n, dim) => ({ dim, bound: Math.ceil((p.bounds[dim] ?? 1) / (prod[dim] ?? 1)) }));
  const keep = p.dataSpaces.map(() => true);
  return { levels: [{ loops: rf, keep }, { loops: [...glbTemporal, ...glbSpatial], keep }, { loops: dram, keep }] };
}

const violations = (a: ArchSpec, m: Mapping, q: Problem = p): string[] => constraintViolations(q, a, m);

describe('Timeloop factor and permutation syntax', () => {
  it('reads = / <= / >= rules, bare K16 and list forms', () => {
    expect(parseFactorList('R=1 S=0 P<=7 Q>=2', 'f')).toEqual([
      { dim: 'R', op: '=', value: 1 }, { dim: 'S', op: '=', value: 0 }, { dim: 'P', op: '<=', value: 7 }, { dim: 'Q', op: '>=', value: 2 },
    ]);
    expect(parseFactorList('K16 R3 P1', 'f', 'eq').map((r) => r.value)).toEqual([16, 3, 1]);
    expect(parseFactorList(['N=1', 'C=1'], 'f')).toHaveLength(2);
    expect(parseFactorList('R=1,S=1,P=1', 'f')).toHaveLength(3);
  });

  it('names the field on bad factors', () => {
    expect(() => parseFactorList('R=x', 'arch.yaml: PE.constraints.spatial.factors')).toThrow(/PE\.constraints\.spatial\.factors must look like R=3/);
    expect(() => parseFactorList('R<=3', 'map.yaml: mapping[2].factors', 'eq')).toThrow(/mapping\[2\]\.factors must fix the factor with "="/);
    expect(() => parseFactorList('R=1 R=3', 'f')).toThrow(/gives R twice/);
    expect(() => parseFactorList(42, 'f')).toThrow(HardwareError);
  });

  it('reads permutations as letters, words or lists, innermost first', () => {
    expect(parsePermutationList('PRK', 'p')).toEqual(['P', 'R', 'K']);
    expect(parsePermutationList('N C P', 'p')).toEqual(['N', 'C', 'P']);
    expect(parsePermutationList(['N', 'C'], 'p')).toEqual(['N', 'C']);
    expect(() => parsePermutationList('PRP', 'x.permutation')).toThrow(/x\.permutation appears twice/);
  });
});

describe('constraint files', () => {
  it('attach each type to its level; the arch key changes with them', () => {
    const a = constrain(arch(), [
      { target: 'rf', type: 'temporal', factors: 'R=3 S=3', permutation: 'SR' },
      { target: 'glb', type: 'spatial', factors: 'M=4 C=1', permutation: 'M C', split: 1 },
      { target: 'glb', type: 'dataspace', keep: ['Inputs'], bypass: ['Weights'] },
      { target: 'rf', type: 'utilization', min: 0.25 },
    ]);
    expect(a.levels[0]?.constraints?.temporal?.factors).toHaveLength(2);
    expect(a.levels[1]?.constraints?.spatial?.[0]?.split).toBe(1);
    expect(a.levels[1]?.constraints?.keep).toEqual(['Inputs']);
    expect(a.minUtilization).toBe(0.25);
    expect(hasLoopConstraints(a)).toBe(true);
    const free = withoutLoopConstraints(a);
    expect(hasLoopConstraints(free)).toBe(false);
    expect(free.levels[1]?.constraints).toEqual({ keep: ['Inputs'], bypass: ['Weights'] });
  });

  it('reads the other layouts Timeloop accepts (targets:, constraints:, a bare list)', () => {
    const t = [{ target: 'rf', type: 'temporal', factors: 'R=3' }];
    for (const doc of [{ targets: t }, { constraints: { targets: t } }, t]) {
      expect(applyConstraintDoc(arch(), new Map(), doc, 'c.yaml').levels[0]?.constraints?.temporal?.factors?.[0]?.value).toBe(3);
    }
  });

  const bad: [string, unknown[], RegExp][] = [
    ['an unknown target', [{ target: 'nope', type: 'temporal' }], /targets\[0\]\.target names no storage level or container/],
    ['an unknown type', [{ target: 'rf', type: 'tiling' }], /targets\[0\] \(rf\)\.type must be temporal, spatial/],
    ['an unsupported Timeloop key', [{ target: 'glb', type: 'spatial', no_reuse: ['Inputs'] }], /no_reuse is a Timeloop constraint this model does not support/],
    ['an unknown key', [{ target: 'rf', type: 'temporal', factor: 'R=3' }], /\.factor is not a constraint key/],
    ['a negative split', [{ target: 'glb', type: 'spatial', split: -1 }], /split must be a whole number/],
    ['a utilization above 1', [{ target: 'rf', type: 'utilization', min: 2 }], /min must be a number in \[0, 1\]/],
    ['a spatial target without fan-out', [{ target: 'rf', type: 'spatial', factors: 'M=2' }], /targets\[0\]\.target has no spatial fan-out below it \(got "rf"\)/],
    ['keep and bypass of one tensor', [{ target: 'glb', type: 'bypass', keep: ['Inputs'], bypass: ['Inputs'] }], /targets\[0\] \(glb\) is both kept and bypassed \(got "Inputs"\)/],
    ['a re-specified factor', [{ target: 'rf', type: 'temporal', factors: 'R=3' }, { target: 'rf', type: 'temporal', factors: 'R=1' }], /factors: R= is specified twice, differently/],
  ];
  for (const [what, targets, msg] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      expect(() => constrain(arch(), targets)).toThrow(msg);
    });
  }

  it('refuses, when compiled for a problem, an unknown data space or a real loop on an unknown dimension', () => {
    expect(() => compileMapspace(p, constrain(arch(), [{ target: 'glb', type: 'bypass', bypass: ['Psums'] }]))).toThrow(/glb\.dataspace: "Psums" is not a data space/);
    expect(() => compileMapspace(p, constrain(arch(), [{ target: 'rf', type: 'temporal', factors: 'K=4' }]))).toThrow(/rf\.temporal\.factors: K=4 names no dimension/);
    // A rule a missing dimension meets trivially (K=1) is not an error: presets name all conv dims.
    expect(() => compileMapspace(p, constrain(arch(), [{ target: 'rf', type: 'temporal', factors: 'K=1' }]))).not.toThrow();
  });
});

describe('constraint validator', () => {
  const R = (b: number): Loop => ({ dim: D('R'), bound: b });
  const S = (b: number): Loop => ({ dim: D('S'), bound: b });

  it('factors: = n, = 0 (the whole dimension), a clamped factor, <= and >=', () => {
    const a = constrain(arch(), [{ target: 'rf', type: 'temporal', factors: 'R=3 S=0 C<=4 M>=2 Q=99' }]);
    expect(violations(a, mapping([R(3), S(3), { dim: D('M'), bound: 2 }, { dim: D('Q'), bound: 8 }], []))).toEqual([]);
    const v = violations(a, mapping([R(1), S(3), { dim: D('C'), bound: 8 }, { dim: D('Q'), bound: 8 }], []));
    expect(v).toEqual(['rf.temporal: factor M=1 breaks M>=2', 'rf.temporal: factor C=8 breaks C<=4', 'rf.temporal: factor R=1 breaks R=3']);
  });

  it('temporal permutation: the listed dimensions are the innermost loops, in order', () => {
    const a = constrain(arch(), [{ target: 'rf', type: 'temporal', permutation: 'S R' }]);
    // Loops are outermost first: C, R, S → innermost first S, R, C: listed S, R lead.
    expect(violations(a, mapping([{ dim: D('C'), bound: 2 }, R(3), S(3)], []))).toEqual([]);
    expect(violations(a, mapping([S(3), R(3)], []))).toEqual(['rf.temporal permutation: loops R S (innermost first) break permutation S R']);
    expect(violations(a, mapping([R(3), S(3), { dim: D('C'), bound: 2 }], []))[0]).toMatch(/loops C S R/);
  });

  it('spatial split: positions before it fan out along X, the rest along Y (dimensions fixed to 1 counted first)', () => {
    // timeloopfe puts N, P, Q, R, S (factor 1 or bound 1) ahead of C, M: split 6 leaves C on X, M on Y.
    const a = constrain(arch(), [{ target: 'glb', type: 'spatial', factors: 'R=1 S=1 P=1 Q=1', permutation: 'C M', split: 6 }]);
    const M = (b: number, ax: 'X' | 'Y'): Loop => ({ dim: D('M'), bound: b, spatial: ax });
    const C = (b: number, ax: 'X' | 'Y'): Loop => ({ dim: D('C'), bound: b, spatial: ax });
    expect(violations(a, mapping([], [M(4, 'Y'), C(4, 'X')]))).toEqual([]);
    expect(violations(a, mapping([], [M(4, 'X')]))).toEqual(['glb.spatial(glb): M fans out along X, which its split / axis forbids']);
    expect(violations(a, mapping([], [{ dim: D('P'), bound: 2, spatial: 'X' }]))).toEqual(['glb.spatial(glb): factor P=2 breaks P=1']);
  });

  it('an axis-restricted (single-mesh container) constraint governs that axis only', () => {
    const base = arch();
    const a = applyConstraintDoc(base, new Map([['cols', { level: 1, meshX: 4, meshY: 1 }]]), { targets: [{ target: 'cols', type: 'spatial', factors: 'C=1 M=1 R=1 S=1 N=1 P=1', split: 999 }] }, 'c.yaml');
    expect(a.levels[1]?.constraints?.spatial?.[0]).toMatchObject({ axis: 'X', source: 'cols' });
    // Q on X is allowed; M on Y is not this constraint's business.
    expect(violations(a, mapping([], [{ dim: D('Q'), bound: 4, spatial: 'X' }, { dim: D('M'), bound: 4, spatial: 'Y' }]))).toEqual([]);
    expect(violations(a, mapping([], [{ dim: D('M'), bound: 4, spatial: 'X' }]))).toEqual(['glb.spatial(cols): factor M=4 breaks M=1']);
  });

  it('keep, bypass and keep-only (a preset level that holds one tensor)', () => {
    const a = arch({ rf: { keep: ['Weights'] }, glb: { bypass: ['Weights'] } });
    const m = mapping([], []);
    expect(violations(a, m)).toEqual(['rf: must bypass Inputs', 'rf: must bypass Outputs', 'glb: must bypass Weights']);
  });

  it('minimum utilization of the MAC array', () => {
    const a = constrain(arch(), [{ target: 'rf', type: 'utilization', min: 0.5 }]);
    expect(violations(a, mapping([], [{ dim: D('M'), bound: 4, spatial: 'X' }, { dim: D('C'), bound: 2, spatial: 'Y' }]))).toEqual([]);
    expect(violations(a, mapping([], [{ dim: D('M'), bound: 4, spatial: 'X' }]))).toEqual(['utilization: 4 of 16 MACs used (0.250) breaks min 0.5']);
  });

  it('padding: every dimension whose loop bounds overshoot it', () => {
    expect(paddingViolations(p, mapping([{ dim: D('M'), bound: 5 }, { dim: D('C'), bound: 3 }], []))).toEqual([
      'M: loop bounds multiply to 20 > problem bound 16 (padding)', 'C: loop bounds multiply to 9 > problem bound 8 (padding)',
    ]);
  });
});

describe('mapper inside the constrained mapspace', () => {
  const cases: [string, unknown[]][] = [
    ['fixed temporal factors and a permutation', [{ target: 'rf', type: 'temporal', factors: 'R=3 S=3 M=1', permutation: 'S R' }]],
    ['a spatial split', [{ target: 'glb', type: 'spatial', factors: 'R=1 S=1 P=1 Q=1', permutation: 'C M', split: 6 }]],
    ['a fixed spatial factor', [{ target: 'glb', type: 'spatial', factors: 'M=4' }]],
    ['keep/bypass', [{ target: 'glb', type: 'bypass', keep: ['Inputs'], bypass: ['Weights', 'Outputs'] }]],
    ['a minimum utilization', [{ target: 'rf', type: 'utilization', min: 1 }]],
  ];
  for (const [what, targets] of cases) {
    it(`${what}: every mapping it returns passes the validator`, () => {
      const a = constrain(arch(), targets);
      for (const seed of [1, 2, 3]) {
        const r = mapLayer(p, a, { maxEvaluations: 400, patience: 150, seed });
        expect(constraintViolations(p, a, r.mapping)).toEqual([]);
        expect(r.evaluation.violations).toEqual([]);
      }
    });
  }

  it('fixes what the constraints fix', () => {
    const a = constrain(arch(), [{ target: 'rf', type: 'temporal', factors: 'R=3 S=3', permutation: 'S R' }, { target: 'glb', type: 'spatial', factors: 'M=4' }]);
    const r = mapLayer(p, a, { maxEvaluations: 300, patience: 100, seed: 5 });
    const rf = r.mapping.levels[0]?.loops ?? [];
    expect(rf.filter((l) => l.bound > 1).slice(-2).map((l) => p.dims[l.dim])).toEqual(['R', 'S']);
    expect(r.mapping.levels[1]?.loops.find((l) => l.spatial && l.dim === D('M'))?.bound).toBe(4);
  });

  it('with paddingRate 0 tiles are exact; an over-constrained space is refused with the most common reason', () => {
    const q = fromLayer({ ...layer, m: 17 });
    const r = mapLayer(q, arch(), { paddingRate: 0, maxEvaluations: 300, patience: 100 });
    expect(paddingViolations(q, r.mapping)).toEqual([]);
    const tight = constrain(arch(), [{ target: 'rf', type: 'utilization', min: 1 }, { target: 'glb', type: 'spatial', factors: 'M<=2 C<=2 P=1 Q=1 R=1 S=1' }]);
    expect(() => mapLayer(p, tight, { maxEvaluations: 200, patience: 50 })).toThrow(/no valid mapping .* --mapspace free .*most common rejection: utilization/);
  });

  it('the eyeriss preset carries row-stationary constraints and its mappings keep them', () => {
    const a = preset('eyeriss');
    expect(hasLoopConstraints(a)).toBe(true);
    const conv = fromLayer({ ...layer, c: 32, m: 64, h: 28, w: 28, p: 28, q: 28 });
    const r = mapLayer(conv, a, { maxEvaluations: 600, patience: 200, seed: 1 });
    expect(constraintViolations(conv, a, r.mapping)).toEqual([]);
    const glb = r.mapping.levels[3]?.loops ?? [];
    for (const l of glb.filter((x) => x.spatial === 'X' && x.bound > 1)) expect(['Q', 'M', 'G']).toContain(conv.dims[l.dim]);
    for (const l of glb.filter((x) => x.spatial === 'Y' && x.bound > 1)) expect(['S', 'C', 'M', 'G']).toContain(conv.dims[l.dim]);
    for (const l of r.mapping.levels[1]?.loops ?? []) if (l.bound > 1) expect(['C', 'R', 'G']).toContain(conv.dims[l.dim]);
  });
});
