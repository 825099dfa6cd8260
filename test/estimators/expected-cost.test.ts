import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { layerMacs, type LayerSpec } from '../../core/types.ts';
import { CostModel, accelArch, createAccelSpace } from '../../hardware/index.ts';
import { costOfChoices, expectedCost, type CostTable } from '../../estimators/expected-cost.ts';
import { mbconvCostTable } from '../../estimators/mbconv-cost-tables.ts';
import { splitUnits } from '../../estimators/lut/units.ts';
import { genomeArity, toGenome, type MbconvArch, type MbconvBlock } from '../../search-space/mbconv-arch.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';

function randomProbs(arity: readonly number[], rng: Rng): number[][] {
  return arity.map((a) => {
    const w = Array.from({ length: a }, () => 0.1 + rng.next());
    const s = w.reduce((x, y) => x + y, 0);
    return w.map((x) => x / s);
  });
}

/** Every canonical arch of a small space with its probability under independent gene choices. */
function* canonical(space: MbconvSpace, probs: readonly (readonly number[])[]): Generator<[MbconvArch, number]> {
  const c = space.config;
  const per = 2 + c.maxDepth * 4;
  function* blocks(s: number, n: number): Generator<[MbconvBlock[], number]> {
    if (n === 0) return yield [[], 1];
    for (const [rest, p] of blocks(s, n - 1)) {
      const at = 3 + s * per + (n - 1) * 4;
      for (const [ki, k] of c.kernels.entries()) for (const [ei, e] of c.expands.entries()) for (const [wi, wb] of c.weightBits.entries()) for (const [ai, ab] of c.activationBits.entries()) {
        const q = probs[at]![ki]! * probs[at + 1]![ei]! * probs[at + 2]![wi]! * probs[at + 3]![ai]!;
        yield [[...rest, { kernel: k, expand: e, wbits: wb, abits: ab }], p * q];
      }
    }
  }
  function* stages(n: number): Generator<[MbconvArch['stages'][number][], number]> {
    if (n === 0) return yield [[], 1];
    const s = n - 1;
    for (const [rest, p] of stages(n - 1)) {
      for (const [di, depth] of c.depths.entries()) for (const [wi, width] of c.widths.entries()) {
        for (const [bl, q] of blocks(s, depth)) {
          const pad = Array.from({ length: c.maxDepth - depth }, () => bl[0] as MbconvBlock);
          yield [[...rest, { depth, width, blocks: [...bl, ...pad] }], p * q * probs[1 + s * per]![di]! * probs[2 + s * per]![wi]!];
        }
      }
    }
  }
  for (const [ri, resolution] of c.resolutions.entries()) for (const [st, p] of stages(c.stages.length)) yield [{ resolution, stages: st }, p * probs[0]![ri]!];
}

/** Small spaces whose canonical archs can be listed (a few thousand each). */
const BASE = { depths: [1, 2], widths: [0.5, 1], stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16 };
const shapes = new MbconvSpace({ ...BASE, resolutions: [12, 16], kernels: [3, 5], expands: [2, 3], weightBits: [8], activationBits: [8] });
const bits = new MbconvSpace({ ...BASE, resolutions: [16], kernels: [3], expands: [2], weightBits: [4, 8], activationBits: [4, 8] });

describe('expectedCost', () => {
  it('its gradient matches central finite differences', () => {
    const rng = new Rng('fd');
    const t: CostTable = {
      metric: 'x', arity: [2, 3, 2],
      terms: [{ groups: [0, 1], table: Float64Array.from({ length: 6 }, () => rng.next()) }, { groups: [2, 1, 0], table: Float64Array.from({ length: 12 }, () => rng.next()) }, { groups: [], table: Float64Array.of(0.7) }],
    };
    const p = randomProbs(t.arity, rng);
    const { grad } = expectedCost(t, p);
    p.forEach((row, g) => row.forEach((_, i) => {
      const at = (d: number) => expectedCost(t, p.map((r, h) => r.map((v, j) => (h === g && j === i ? v + d : v)))).value;
      expect(grad[g]![i]).toBeCloseTo((at(1e-6) - at(-1e-6)) / 2e-6, 6);
    }));
  });

  it('unit-scope tables give the exact expectation of a per-unit cost (a LUT) over every arch', () => {
    const f = (key: string) => [...key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1009, 7) / 100;
    const small = shapes;
    const table = mbconvCostTable(small, 'lut', (layers) => f(splitUnits(layers)[0]!.key), { scope: 'unit', bits: false });
    const probs = randomProbs(table.arity, new Rng('lut-probs'));
    let brute = 0;
    let mass = 0;
    for (const [arch, p] of canonical(small, probs)) {
      mass += p;
      brute += p * splitUnits(small.layers(arch)).reduce((s, u) => s + f(u.key), 0);
    }
    expect(mass).toBeCloseTo(1, 12);
    expect(expectedCost(table, probs).value).toBeCloseTo(brute, 9);
  });

  it('per-layer accelerator energy over a pool of accelerators equals the brute-force expectation', () => {
    const small = bits;
    const rng = new Rng('pool');
    const accel = createAccelSpace({ areaBudgetMm2: 4 });
    const pool = [accel.sample(rng), accel.sample(rng)].map(accelArch);
    const model = new CostModel();
    const energy = (layers: readonly LayerSpec[], hw: number) => model.evaluate(layers, pool[hw]!).energyPj / 1e6;
    const table = mbconvCostTable(small, 'energy_uj', energy, { scope: 'layer', bits: true, hwCount: pool.length });
    const probs = randomProbs(table.arity, rng);
    let brute = 0;
    for (const [arch, p] of canonical(small, probs)) {
      const layers = small.layers(arch);
      pool.forEach((_, h) => (brute += p * probs[probs.length - 1]![h]! * energy(layers, h)));
    }
    const e = expectedCost(table, probs).value;
    expect(e).toBeGreaterThan(0);
    expect(Math.abs(e - brute) / brute).toBeLessThan(1e-9);
  });

  it('costOfChoices equals the cost of the lowered arch in the default space', () => {
    const space = new MbconvSpace();
    const table = mbconvCostTable(space, 'macs_m', (layers) => layers.reduce((s, l) => s + layerMacs(l), 0) / 1e6, { scope: 'layer', bits: false });
    expect(table.arity).toEqual([...genomeArity(space.config)]);
    const rng = new Rng('default-archs');
    for (let i = 0; i < 30; i++) {
      const arch = space.sample(rng);
      const direct = space.layers(arch).reduce((s, l) => s + layerMacs(l), 0) / 1e6;
      expect(costOfChoices(table, toGenome(space.config, arch))).toBeCloseTo(direct, 9);
    }
  });
});
