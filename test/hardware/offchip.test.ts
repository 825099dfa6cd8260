/**
 * Off-chip traffic and non-MAC work: run-length coded feature maps (Eyeriss) with the uncoded
 * traffic beside, residual adds and unfused batch-norm/activation passes, and off-chip bandwidth
 * stalls (a layer takes at least its bytes ÷ bandwidth) — through the model, the CostModel and
 * `nas hw eval --json`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { LayerSpec } from '../../core/types.ts';
import { main } from '../../cli/main.ts';
import { buildArch } from '../../hardware/build-arch.ts';
import { CostModel, layerKey } from '../../hardware/cost-model.ts';
import { rlcBitsPerValue } from '../../hardware/model/compression.ts';
import { nonMacWork } from '../../hardware/model/non-mac.ts';
import { PRESETS, preset } from '../../hardware/presets.ts';

const conv = (over: Partial<LayerSpec> = {}): LayerSpec => ({
  name: 'c', kind: 'conv', n: 1, c: 32, m: 32, h: 14, w: 14, p: 14, q: 14, r: 3, s: 3, stride: 1, groups: 1, padding: 1,
  bits: { weights: 16, inputs: 16, outputs: 16 }, ...over,
});
const budget = { maxEvaluations: 400, patience: 150, seed: 1 };

describe('run-length coding (Eyeriss RLC: 5-bit run + 16-bit level, 3 pairs per 64-bit word)', () => {
  it('costs 21.3 bits per dense value and approaches 64/96 bits per value when all zero', () => {
    expect(rlcBitsPerValue(1, 16)).toBeCloseTo(64 / 3, 9);
    expect(rlcBitsPerValue(0.5, 16)).toBeCloseTo(32 / 3, 6);
    expect(rlcBitsPerValue(1e-6, 16)).toBeCloseTo(64 / 96, 3);
  });

  it('codes feature maps to and from DRAM, never above the raw size, and reports both', () => {
    const a = preset('eyeriss');
    const model = new CostModel(budget);
    const sparse = model.evaluate([conv({ density: { inputs: 0.3, outputs: 0.3 } })], a).perLayer[0];
    const dense = model.evaluate([conv({ density: { inputs: 1, outputs: 1 } })], a).perLayer[0];
    expect(sparse && dense).toBeTruthy();
    if (!sparse || !dense) return;
    expect(sparse.offChipBytes).toBeLessThan(sparse.offChipDenseBytes);
    expect(dense.offChipBytes).toBe(dense.offChipDenseBytes);
    expect(layerKey(conv({ density: { inputs: 0.3 } }))).not.toBe(layerKey(conv()));
  });
});

describe('non-MAC work', () => {
  it('a residual add reads the skip tensor off chip and adds on the array; a fused epilogue is free, a separate one costs passes', () => {
    const l = conv({ residualFrom: 'x', post: ['batchnorm', 'activation'] });
    const fused = nonMacWork(l, preset('simple-os'));
    expect(fused.map((w) => [w.kind, w.fused])).toEqual([['batchnorm', true], ['activation', true], ['residual-add', false]]);
    const add = fused[2];
    expect(add?.offChipBytes).toBe(14 * 14 * 32 * 2);
    expect(add?.ops).toBe(14 * 14 * 32);
    expect(add?.cycles).toBeGreaterThanOrEqual(Math.ceil((14 * 14 * 32) / 256));
    const sep = nonMacWork(l, buildArch({ ...PRESETS['simple-os']!, epilogue: 'separate' }));
    expect(sep.filter((w) => !w.fused).map((w) => w.kind)).toEqual(['batchnorm', 'activation', 'residual-add']);
    expect(sep[0]?.offChipBytes).toBe(2 * 14 * 14 * 32 * 2);
  });

  it('the CostModel adds the passes to the layer and a DRAM-bound layer takes at least bytes ÷ bandwidth', () => {
    const model = new CostModel(budget);
    const a = preset('simple-ws');
    const plain = model.evaluate([conv({ bits: { weights: 8, inputs: 8, outputs: 8 } })], a).perLayer[0];
    const res = model.evaluate([conv({ residualFrom: 'x', bits: { weights: 8, inputs: 8, outputs: 8 } })], a).perLayer[0];
    expect(res && plain).toBeTruthy();
    if (!res || !plain) return;
    expect(res.cycles).toBe(plain.cycles + (res.nonMac[0]?.cycles ?? NaN));
    expect(res.energyPj).toBeGreaterThan(plain.energyPj);
    // 1 byte per cycle off chip: an FC layer with 1 M weights is DRAM-bound.
    const slow = buildArch({ ...PRESETS['simple-ws']!, levels: PRESETS['simple-ws']!.levels.map((lv) => (lv.name === 'DRAM' ? { ...lv, bandwidth: 1 } : lv)) });
    const fc: LayerSpec = { ...conv({ kind: 'fc', c: 1024, m: 1024, h: 1, w: 1, p: 1, q: 1, r: 1, s: 1, padding: 0 }), bits: { weights: 8, inputs: 8, outputs: 8 } };
    const f = model.evaluate([fc], slow).perLayer[0];
    expect(f?.boundBy).toBe('DRAM');
    expect(f?.cycles).toBeGreaterThanOrEqual(f?.offChipBytes ?? Infinity);
  });

  it('nas hw eval --json shows per layer the coded and uncoded traffic, the bound and the non-MAC passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-nonmac-'));
    const f = join(dir, 'net.json');
    writeFileSync(f, JSON.stringify([conv({ name: 'a', density: { inputs: 0.4, outputs: 0.4 } }), conv({ name: 'b', residualFrom: 'a', density: { inputs: 0.4, outputs: 0.4 } })]));
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
    try {
      expect(await main(['node', 'nas', 'hw', 'eval', '--arch', 'eyeriss', '--workload', f, '--budget', '300', '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const r = JSON.parse(out.join('')) as { offChipBytes: number; offChipDenseBytes: number; technologyNm: number; area: { totalMm2: number }; layers: { offChipBytes: number; offChipDenseBytes: number; boundBy: string; nonMac: { kind: string }[] }[] };
    expect(r.technologyNm).toBe(65);
    expect(r.offChipBytes).toBeLessThan(r.offChipDenseBytes);
    expect(r.layers[1]?.nonMac.map((w) => w.kind)).toEqual(['residual-add']);
    expect(r.layers[0]?.boundBy).toBe('compute');
    expect(r.area.totalMm2).toBeGreaterThan(10);
  });
});
