/**
 * Bit Fusion simulator sweep (bitfusion-results/ of the reference data): AlexNet, batch 16, on its
 * 16×32 fusion-unit array with a 192 bit/cycle off-chip interface, against our `bitfusion` preset
 * (same array, 24 B/cycle). A cross-tool comparison, not exact: Bit Fusion's simulator tiles and
 * double-buffers its own way. Layer shapes and precisions follow the simulator's AlexNet definition
 * (src/benchmarks/benchmarks.py: the two-tower split, 4-b weights and activations, 8-b input image,
 * 8-b fc3 operands); MACs are checked exactly against its ALU column (eyeriss_results.csv).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSpec } from '../../core/types.ts';
import { layerMacs } from '../../core/types.ts';
import { CostModel } from '../cost-model.ts';
import { preset } from '../presets.ts';
import { col, readCsvText, readReport } from '../scalesim/report.ts';
import { check, type Check } from './checks.ts';

const BATCH = 16;

function conv(name: string, c: number, m: number, h: number, r: number, stride: number, pad: number, bi: number, bw: number): LayerSpec {
  const p = Math.floor((h + 2 * pad - r) / stride) + 1;
  return { name, kind: 'conv', n: BATCH, c, m, h, w: h, p, q: p, r, s: r, stride, groups: 1, padding: pad, bits: { weights: bw, inputs: bi, outputs: 4 } };
}
function fc(name: string, c: number, m: number, bi: number, bw: number): LayerSpec {
  return { name, kind: 'fc', n: BATCH, c, m, h: 1, w: 1, p: 1, q: 1, r: 1, s: 1, stride: 1, groups: 1, padding: 0, bits: { weights: bw, inputs: bi, outputs: 8 } };
}

/** One tower of each conv (the _b tower is the same shape), and the FC layers. */
export const BITFUSION_ALEXNET: readonly LayerSpec[] = [
  conv('conv1_a', 3, 48, 227, 11, 4, 0, 8, 4), conv('conv2_a', 48, 128, 27, 5, 1, 2, 4, 4), conv('conv3_a', 256, 192, 13, 3, 1, 1, 4, 4),
  conv('conv4_a', 192, 192, 13, 3, 1, 1, 4, 4), conv('conv5_a', 192, 128, 13, 3, 1, 1, 4, 4),
  fc('fc1', 6 * 6 * 256, 4096, 4, 4), fc('fc2', 4096, 4096, 4, 4), fc('fc3', 4096, 1000, 8, 8),
];

export function bitfusionChecks(dataDir: string, budget = { maxEvaluations: 2000, patience: 500 }): Check[] {
  const dir = join(dataDir, 'bitfusion-results');
  const sweep = join(dir, 'bitfusion-eyeriss-sim-sweep.csv');
  if (!existsSync(sweep)) return [];
  const text = readCsvText(sweep);
  const nums = readReport(sweep).rows;
  const at = (name: string): number => text.columns.indexOf(name);
  const row = (layer: string): Readonly<Record<string, number>> | undefined => nums.find((_r, i) => {
    const t = text.rows[i] ?? [];
    return t[at('Network')] === 'AlexNet' && t[at('Layer')]?.startsWith(`${layer}/`) && t[at('N')] === '16' && t[at('M')] === '32' && t[at('Bandwidth (bits/cycle)')] === '192';
  });
  const alu = new Map<string, number>();
  const eyeriss = join(dir, 'eyeriss_results.csv');
  if (existsSync(eyeriss)) {
    const et = readCsvText(eyeriss);
    et.rows.forEach((r) => { if (r[0] === 'AlexNet') alu.set(r[1] ?? '', Number(r[2])); });
  }
  const model = new CostModel({ ...budget, seed: 1 });
  const arch = preset('bitfusion');
  const out: Check[] = [];
  for (const l of BITFUSION_ALEXNET) {
    const ref = row(l.name);
    if (!ref) continue;
    const ours = model.evaluate([l], arch).perLayer[0];
    if (!ours) continue;
    const macs = alu.get(l.name);
    if (macs !== undefined) out.push(check('bitfusion', `AlexNet ${l.name}`, 'MACs', macs, layerMacs(l), { exact: true }));
    out.push(check('bitfusion', `AlexNet ${l.name}`, 'cycles', col(ref, 'Cycles', sweep), ours.cycles, { note: 'cross-tool; theirs include memory waits' }));
  }
  return out;
}
