/**
 * What the Eyeriss chip does that a Timeloop-style preset must also do (JSSC 2017): a global buffer
 * of 25 banks of 4 KB, each holding ifmaps or psums, beside 8 KB that only prefetch filters; PEs
 * that run 1-D convolutions of whole filter rows; and the chip's mapping policy (least energy at the
 * published active PEs), which reproduces CONV4's DRAM traffic where the best-EDP mapping does not.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../core/types.ts';
import { mapLayer } from '../../hardware/mapper/mapper.ts';
import { constraintViolations } from '../../hardware/mapspace/validate.ts';
import { analyze } from '../../hardware/model/analysis.ts';
import type { Loop, Mapping } from '../../hardware/model/mapping.ts';
import { preset } from '../../hardware/presets.ts';
import { archAreaMm2, occupiedWords, type ArchSpec } from '../../hardware/spec.ts';
import { EYERISS_ALEXNET } from '../../hardware/validate/eyeriss-alexnet.ts';
import { fromLayer } from '../../hardware/workload.ts';

const D = { N: 0, G: 1, M: 2, C: 3, P: 4, Q: 5, R: 6, S: 7 } as const;
type Dim = keyof typeof D;
const loops = (spec: string, spatial?: 'X' | 'Y'): Loop[] => spec.split(' ').filter(Boolean).map((t) => {
  const [d, b] = t.split('=');
  return { dim: D[d as Dim], bound: Number(b), ...(spatial ? { spatial } : {}) };
});
/** Eyeriss levels innermost first: psum, weights, ifmap scratchpads, global buffer, DRAM. */
function eyerissMapping(levels: readonly { t: string; x?: string; y?: string }[]): Mapping {
  const keep = [[false, false, true], [true, false, false], [false, true, false], [false, true, true], [true, true, true]];
  return { levels: levels.map((l, i) => ({ loops: [...loops(l.t), ...loops(l.x ?? '', 'X'), ...loops(l.y ?? '', 'Y')], keep: keep[i] as boolean[] })) };
}
const conv4 = EYERISS_ALEXNET[3]?.layer as LayerSpec;

describe('Eyeriss preset: the chip\'s global buffer and PE', () => {
  const a = preset('eyeriss');
  const glb = a.levels[3];

  it('100 KB for ifmaps and psums in 25 banks of 4 KB; the area still counts all 108 KB of SRAM', () => {
    expect(glb?.sizeWords).toBe(51200);
    expect(glb?.bankWords).toBe(2048);
    expect(occupiedWords(glb as NonNullable<typeof glb>, 1)).toBe(2048);
    expect(occupiedWords(glb as NonNullable<typeof glb>, 2049)).toBe(4096);
    // the same preset with a 108 KB unbanked buffer costs the same area
    expect(archAreaMm2(a)).toBeCloseTo(12.234, 2);
  });

  it('refuses tiles that fit the words but not whole banks, as the chip\'s bank assignment would', () => {
    const p = fromLayer(conv4);
    // inputs 6 ch × 4 images × 15 × 15 = 5,400 words (3 banks), psums 64 × 4 × 13 × 13 = 43,264 (22 banks): 25 banks
    const fits = eyerissMapping([{ t: 'M=16' }, { t: 'R=3 C=3' }, { t: '' }, { t: 'M=2 N=4 P=13', x: 'Q=13', y: 'M=2 C=2 S=3' }, { t: 'G=2 M=3 C=32' }]);
    expect(analyze(p, a, fits).violations).toEqual([]);
    expect(constraintViolations(p, a, fits)).toEqual([]);
    // one more channel pair per pass: 7,200 input words need 4 banks, 26 in all, though 50,464 words < 51,200
    const over = eyerissMapping([{ t: 'M=16' }, { t: 'R=3 C=4' }, { t: '' }, { t: 'M=2 N=4 P=13', x: 'Q=13', y: 'M=2 C=2 S=3' }, { t: 'G=2 M=3 C=24' }]);
    const v = analyze(p, a, over).violations;
    expect(v.some((x) => x.startsWith('shared_glb: tiles need 53248 words'))).toBe(true);
    const unbanked: ArchSpec = { ...a, levels: a.levels.map((l, i) => (i === 3 ? { ...l, bankWords: undefined } : l)) };
    expect(analyze(p, unbanked, over).violations).toEqual([]);
  });

  it('a PE holds whole filter rows (R=0 in the weight scratchpad): splitting R is a constraint violation, and the mapper never does it', () => {
    const p = fromLayer(conv4);
    const split = eyerissMapping([{ t: 'M=16' }, { t: 'C=3' }, { t: '' }, { t: 'M=2 N=4 P=13', x: 'Q=13', y: 'M=2 C=2 S=3' }, { t: 'G=2 M=3 C=32 R=3' }]);
    expect(constraintViolations(p, a, split).some((x) => x.includes('weights_spad.temporal: factor R=1 breaks R=3'))).toBe(true);
    const r = mapLayer(p, a, { maxEvaluations: 1500, patience: 500, seed: 2 });
    const rInSpad = r.mapping.levels[1]?.loops.filter((l) => l.dim === D.R).reduce((x, l) => x * l.bound, 1);
    expect(rInSpad).toBe(3);
  });
});

describe('the chip\'s mapping policy on CONV4 (JSSC 2017 Table V: 2.1 MB, 156 active PEs)', () => {
  const chip = preset('eyeriss');
  const p = fromLayer(conv4);
  const traffic = (m: Mapping, a: ArchSpec): number => { const e = analyze(p, a, m); return (e.offChip.readBytes + e.offChip.writeBytes) / 1e6; };

  it('least energy at ≥ the published active PEs keeps weights fetched once and lands within ±30 % of 2.1 MB; least EDP does not', () => {
    const atChipPes = { ...chip, minUtilization: 156 / 168 };
    const energy = mapLayer(p, atChipPes, { objective: 'energy', maxEvaluations: 10_000, patience: 2_500, refineEvaluations: 3_333, seed: 1 });
    const mb = traffic(energy.mapping, chip);
    expect(Math.abs(mb / 2.1 - 1)).toBeLessThanOrEqual(0.3);
    const weights = energy.evaluation.levels[4]?.tensors[0];
    expect(weights?.reads).toBe(2 * 192 * 192 * 9); // each weight read from DRAM once
    // the best-EDP mapping pads the filters to all 168 PEs and refetches weights
    const edp = mapLayer(p, chip, { objective: 'edp', maxEvaluations: 10_000, patience: 2_500, refineEvaluations: 3_333, seed: 3 });
    expect(edp.evaluation.cycles).toBeLessThan(energy.evaluation.cycles);
    expect(traffic(edp.mapping, chip)).toBeGreaterThan(1.3 * 2.1);
  });
});
