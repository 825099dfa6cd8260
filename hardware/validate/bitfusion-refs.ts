/**
 * Bit Fusion simulator sweep (bitfusion-results/ of the reference data) against our `bitfusion`
 * preset (same 16×32 array, buffers and 192 b/cycle interface).
 *
 * Which network: the sweep script builds every benchmark with `get_bench_nn(name, WRPN=True)`
 * (hsharma35/bitfusion, bitfusion/src/sweep/sweep.py), so its "AlexNet" rows are AlexNet-WRPN
 * (2× wide): 96/256/384/384/256 filters per tower, 8,192-wide FC layers, 8-b conv1 weights and
 * image, 4-b activations and weights elsewhere, an 8-b fc3 (src/benchmarks/benchmarks.py). Costing
 * the standard AlexNet instead is what made every layer look ≈ 4.5× faster than the simulator: both
 * its channel counts double, so 4× the MACs (2× on conv1, which also runs 8×8 instead of 8×4).
 *
 * Checks per layer: the simulator's compute cycles (its Cycles − Memory wait cycles; its closed form
 * b · ⌈oc/32⌉ · ow·oh·kw·kh · ⌈ic/(16 · rate)⌉) against our model on the loop nest that formula
 * describes — exact; our mapper's cycles at a 4,096 b/cycle interface (where the simulator is
 * compute-bound) and at the preset's 192 b/cycle against the simulator's totals, which include
 * the memory waits its double buffering does not hide (goals ±10 % and ±25 %); DRAM traffic
 * (informative: the simulator's tiles differ from ours). conv1 is given as the simulator runs it:
 * the host does im2col, so it is a matrix product of 16 · 55 · 55 rows, 11 · 11 · 3 = 363 inputs
 * and 96 outputs.
 *
 * Like for like with the simulator's optimiser (src/optimizer/optimizer.py): it keeps the tiling of
 * fewest cycles (then least energy), so our mapper minimises latency here; and it moves every
 * output to and from DRAM at 32 b (its oprec = 32, partial sums and finals alike), so the layers'
 * outputs are 32 b. Where the simulator is bandwidth-bound (conv3–5 at 192 b/cycle its cycles are
 * its DRAM bits ÷ 192) the gap is its mapspace, not the array: it tiles once between DRAM and the
 * three buffers (tiles of B, OW, OH, IC, OC in one loop order) and re-fetches a tensor under every
 * outer loop once its tile overflows half a buffer, while our mapper tiles at each buffer and finds
 * tilings that move about half the bytes under the same capacities — compute-bound at 192 b/cycle.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSpec } from '../../core/types.ts';
import { bestOfSeeds, type SeededBudget } from '../mapper/best-of-seeds.ts';
import { analyze, bitFusionRate } from '../model/analysis.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';
import { layerFigures } from '../layer-figures.ts';
import { preset } from '../presets.ts';
import type { ArchSpec } from '../spec.ts';
import { fromLayer, type Problem } from '../workload.ts';
import { col, readCsvText, readReport } from '../scalesim/report.ts';
import { check, type Check } from './checks.ts';

const BATCH = 16;
const ROWS = 16;
const COLS = 32;

/** The simulator moves outputs at 32 b (its oprec), whatever the next layer reads. */
const OUT_BITS = 32;

function conv(name: string, c: number, m: number, h: number, r: number, stride: number, pad: number, bi: number, bw: number): LayerSpec {
  const p = Math.floor((h + 2 * pad - r) / stride) + 1;
  return { name, kind: 'conv', n: BATCH, c, m, h, w: h, p, q: p, r, s: r, stride, groups: 1, padding: pad, bits: { weights: bw, inputs: bi, outputs: OUT_BITS } };
}
/** A matrix product; `pixels` output positions per image become rows (conv1's im2col). */
function fc(name: string, c: number, m: number, bi: number, bw: number, pixels = 1): LayerSpec {
  return { name, kind: 'fc', n: BATCH * pixels, c, m, h: 1, w: 1, p: 1, q: 1, r: 1, s: 1, stride: 1, groups: 1, padding: 0, bits: { weights: bw, inputs: bi, outputs: OUT_BITS } };
}

/** AlexNet-WRPN (2× wide) as the sweep ran it: one tower of each conv (the _b tower is the same shape), and the FC layers. */
export const BITFUSION_ALEXNET: readonly LayerSpec[] = [
  fc('conv1_a', 11 * 11 * 3, 96, 8, 8, 55 * 55), conv('conv2_a', 96, 256, 27, 5, 1, 2, 4, 4), conv('conv3_a', 512, 384, 13, 3, 1, 1, 4, 4),
  conv('conv4_a', 384, 384, 13, 3, 1, 1, 4, 4), conv('conv5_a', 384, 256, 13, 3, 1, 1, 4, 4),
  fc('fc1', 6 * 6 * 512, 8192, 4, 4), fc('fc2', 8192, 8192, 4, 4), fc('fc3', 8192, 1000, 8, 8),
];

/**
 * The loop nest of the simulator's compute formula on our preset: output channels across the 32
 * columns, input channels across the 16 rows and the fusion lanes (padded up to whole tiles), the
 * rest temporal. Only the compute cycles of this nest are compared (its tiles need not fit).
 */
export function simulatorLoopNest(p: Problem, a: ArchSpec): Mapping {
  const at = (d: string): number => p.dims.indexOf(d);
  const bound = (d: string): number => p.bounds[at(d)] ?? 1;
  const bits = (n: string): number => p.dataSpaces.find((d) => d.name === n)?.bits ?? 8;
  const lanes = bitFusionRate(bits('Inputs'), bits('Weights'));
  const cTiles = Math.ceil(bound('C') / (ROWS * lanes));
  const outer: Loop[] = p.dims.filter((d) => d !== 'C' && d !== 'M').map((d) => ({ dim: at(d), bound: bound(d) }));
  const keep = (names: readonly string[]): boolean[] => p.dataSpaces.map((d) => names.includes(d.name));
  const levels: LevelMapping[] = [
    { loops: [{ dim: at('C'), bound: lanes }], keep: keep(['Weights']) },
    { loops: [{ dim: at('C'), bound: ROWS, spatial: 'Y' }], keep: keep(['Outputs']) },
    { loops: [{ dim: at('M'), bound: COLS, spatial: 'X' }], keep: keep(['Inputs']) },
    { loops: [...outer, { dim: at('C'), bound: cTiles }, { dim: at('M'), bound: Math.ceil(bound('M') / COLS) }], keep: keep(['Weights', 'Inputs', 'Outputs']) },
  ];
  return { levels: levels.slice(0, a.levels.length) };
}

function withBandwidth(a: ArchSpec, bytesPerCycle: number): ArchSpec {
  const last = a.levels.length - 1;
  return { ...a, levels: a.levels.map((l, i) => (i === last ? { ...l, readBandwidth: bytesPerCycle, writeBandwidth: bytesPerCycle } : l)) };
}

/** Fewest cycles, as the simulator's optimiser; best of three seeds (one seed missed conv1's padded split). */
export const BITFUSION_MAPPER_BUDGET: SeededBudget = { maxEvaluations: 10_000, patience: 2_500, refineEvaluations: 3_333, seeds: [1, 2, 3], objective: 'latency' };

export function bitfusionChecks(dataDir: string, budget: SeededBudget = BITFUSION_MAPPER_BUDGET): Check[] {
  const sweep = join(dataDir, 'bitfusion-results', 'bitfusion-eyeriss-sim-sweep.csv');
  if (!existsSync(sweep)) return [];
  const text = readCsvText(sweep);
  const nums = readReport(sweep).rows;
  const at = (name: string): number => text.columns.indexOf(name);
  const row = (layer: string, bw: number): Readonly<Record<string, number>> | undefined => nums.find((_r, i) => {
    const t = text.rows[i] ?? [];
    return t[at('Network')] === 'AlexNet' && t[at('Layer')]?.startsWith(`${layer}/`) && t[at('N')] === String(ROWS) && t[at('M')] === String(COLS)
      && t[at('Bandwidth (bits/cycle)')] === String(bw);
  });
  const arch = preset('bitfusion');
  const wide = withBandwidth(arch, 4096 / 8);
  const out: Check[] = [];
  for (const l of BITFUSION_ALEXNET) {
    const fast = row(l.name, 4096);
    const slow = row(l.name, 192);
    if (!fast || !slow) continue;
    const p = fromLayer(l);
    const name = `AlexNet-WRPN ${l.name}`;
    const compute = col(fast, 'Cycles', sweep) - col(fast, 'Memory wait cycles', sweep);
    out.push(check('bitfusion', name, 'compute cycles, simulator loop nest', compute, analyze(p, arch, simulatorLoopNest(p, arch)).computeCycles, { exact: true }));
    const ours = (a: ArchSpec): ReturnType<typeof layerFigures> => layerFigures(l.name, l, bestOfSeeds(p, a, budget).evaluation, a);
    out.push(check('bitfusion', name, 'cycles at 4,096 b/cycle', col(fast, 'Cycles', sweep), ours(wide).cycles, { tolerance: 0.1, note: 'our mapper; the simulator is compute-bound here' }));
    const mine = ours(arch);
    const dram = (col(slow, 'DRAM Read', sweep) + col(slow, 'DRAM Write', sweep)) / 8;
    out.push(check('bitfusion', name, 'cycles at 192 b/cycle', col(slow, 'Cycles', sweep), mine.cycles, {
      tolerance: 0.25, note: `theirs: ${col(slow, 'Memory wait cycles', sweep)} memory-wait cycles, DRAM bytes ÷ 24 = ${Math.ceil(dram / 24)}; ours: bytes ÷ 24 = ${Math.ceil(mine.offChipBytes / 24)}`,
    }));
    out.push(check('bitfusion', name, 'DRAM MB at 192 b/cycle', dram / 1e6, mine.offChipBytes / 1e6, { note: 'cross-tool; different tiles' }));
  }
  return out;
}
