/**
 * Technology model: Stillmaker & Baas node scaling, CACTI / Aladdin / Horowitz component tables,
 * and core areas of the presets against the chips they follow (Eyeriss calibrates the overhead;
 * DianNao and the Simba chiplet check it).
 */
import { describe, expect, it } from 'vitest';
import { HardwareError } from '../../core/errors.ts';
import { preset } from '../../hardware/presets.ts';
import { archArea, archAreaMm2, validateArch } from '../../hardware/spec.ts';
import { macAreaUm2, macEnergyPj, storageAccessPj, storageAreaUm2 } from '../../hardware/tech/components.ts';
import { PUBLISHED_AREAS } from '../../hardware/tech/published-chips.ts';
import { areaFactor, energyFactor, scaleArea } from '../../hardware/tech/scaling.ts';

describe('node scaling (Stillmaker & Baas 2017)', () => {
  it('reproduces the area table from 45 nm and interpolates between nodes', () => {
    expect(areaFactor(45)).toBe(1);
    expect(areaFactor(65)).toBeCloseTo(1.5, 12);
    expect(areaFactor(16)).toBeCloseTo(0.19, 12);
    expect(areaFactor(28)).toBeGreaterThan(areaFactor(20));
    expect(areaFactor(28)).toBeLessThan(areaFactor(32));
    expect(scaleArea(100, 65, 45)).toBeCloseTo(100 / 1.5, 9);
  });

  it('energy per operation falls with the node at each node\'s nominal supply', () => {
    const nodes = [130, 90, 65, 45, 32, 28, 20, 16, 14, 10, 7];
    const e = nodes.map(energyFactor);
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeLessThan(e[i - 1] as number);
    // 32 nm HP fit at 0.9 V is 0.4571 (the authors' erratum), relative to 45 nm HP at 1.0 V
    const fit = (a: number, b: number, c: number, v: number): number => a * v * v + b * v + c;
    expect(fit(0.8367, -0.4341, 0.1701, 0.9)).toBeCloseTo(0.4571, 4);
    expect(energyFactor(32)).toBeCloseTo(fit(0.8367, -0.4341, 0.1701, 0.9) / fit(1.018, -0.3107, 0.1539, 1.0), 12);
  });

  it('refuses nodes outside the fitted range', () => {
    expect(() => areaFactor(5)).toThrow(HardwareError);
    expect(() => energyFactor(250)).toThrow(/technologyNm/);
  });
});

describe('component tables', () => {
  it('SRAM follows the CACTI 45 nm sweep; register files cost Aladdin flip-flops', () => {
    expect(storageAreaUm2(16 * 8192, 'sram', 45)).toBeCloseTo(108577, 6);
    expect(storageAccessPj(16 * 8192, 32, 'sram', 45, 'read')).toBeCloseTo(9.982, 6);
    // density improves with capacity; a bigger array costs more per access
    expect(storageAreaUm2(131072, 'sram', 45) / 131072).toBeLessThan(storageAreaUm2(8192, 'sram', 45) / 8192);
    expect(storageAccessPj(1 << 20, 32, 'sram', 45, 'read')).toBeGreaterThan(storageAccessPj(1 << 17, 32, 'sram', 45, 'read'));
    // 1 MB (8 Mbit): Horowitz's 100 pJ per 64-bit read
    expect(storageAccessPj(8 * 1024 * 1024, 64, 'sram', 45, 'read')).toBeCloseTo(100, 6);
    expect(storageAreaUm2(192, 'reg', 40)).toBeCloseTo(192 * 5.98, 6);
    expect(storageAccessPj(192, 16, 'reg', 40, 'read')).toBeCloseTo(16 * 0.009, 9);
    expect(storageAreaUm2(4096, 'sram', 16)).toBeCloseTo(storageAreaUm2(4096, 'sram', 45) * 0.19, 6);
  });

  it('MAC area and energy grow with the product of operand widths (Aladdin, Horowitz)', () => {
    expect(macAreaUm2(32, 32, 32, 40)).toBeCloseTo(6350 + 278, 6);
    expect(macEnergyPj(8, 8, 8, 45)).toBeCloseTo(0.23, 9);
    expect(macEnergyPj(32, 32, 32, 45)).toBeCloseTo(3.2 + 0.1, 9);
    expect(macAreaUm2(16, 16, 16, 65) / macAreaUm2(8, 8, 16, 65)).toBeGreaterThan(3);
    expect(macEnergyPj(8, 8, 24, 16)).toBeLessThan(macEnergyPj(8, 8, 24, 65) / 5);
  });
});

describe('core area against published chips', () => {
  const err = (name: string, published: number): number => archAreaMm2(preset(name)) / published - 1;

  it('Eyeriss (calibration) within ±25 % of its 12.25 mm² core; components are about a third of it', () => {
    expect(Math.abs(err('eyeriss', 12.25))).toBeLessThan(0.25);
    const a = archArea(preset('eyeriss'));
    expect((a.storageMm2 + a.macMm2) / a.totalMm2).toBeGreaterThan(0.25);
    expect((a.storageMm2 + a.macMm2) / a.totalMm2).toBeLessThan(0.4);
  });

  it('DianNao and the Simba chiplet, not used for calibration, within ±40 %', () => {
    expect(Math.abs(err('diannao', 3.02))).toBeLessThan(0.4);
    expect(Math.abs(err('simba', 4.01 / 1.29))).toBeLessThan(0.4);
  });

  it('ShiDianNao counts every SRAM of the paper, its 32 KB instruction buffer too (area only: it is never mapped)', () => {
    const a = preset('shidiannao');
    const kib = (words: number, bits: number): number => (words * bits) / 8192;
    expect(a.levels.map((l) => [l.name, kib(l.sizeWords * l.instances, l.wordBits)])).toEqual([['out_reg', 0.125], ['SB', 128], ['NB', 128], ['DRAM', Infinity]]);
    expect([a.mac.instances, a.mac.bits, a.technologyNm]).toEqual([64, 16, 65]);
    const ib = storageAreaUm2(32 * 8192, 'sram', 65);
    expect(a.auxStorageUm2).toBeCloseTo(ib, 6);
    const levels = a.levels.reduce((t, l) => t + l.areaUm2 * l.instances, 0);
    expect(archArea(a).storageMm2).toBeCloseTo((levels + ib) / 1e6, 9);
    expect(() => validateArch({ ...a, auxStorageUm2: -1 })).toThrow(/auxStorageUm2/);
  });

  it('every published area names a preset at the chip\'s node', () => {
    for (const p of PUBLISHED_AREAS) expect(preset(p.preset).technologyNm, p.chip).toBe(p.technologyNm);
    expect(PUBLISHED_AREAS.filter((p) => p.role === 'validation').length).toBeGreaterThanOrEqual(2);
  });
});
