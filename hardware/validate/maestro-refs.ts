/**
 * MAESTRO per-layer outputs (maestro-outputs/ of the reference data): ResNet-50 on 256 and 1024 PEs
 * (KCP weight-stationary) and on 256 PEs (row-stationary). A cross-tool comparison, not exact:
 * MAESTRO's data-centric model and NoC differ from ours. Layer shapes are recovered from MAESTRO's
 * own columns (input pixels = C·H², weight pixels = K·C·R², MACs = weight pixels · P², unpadded
 * convs, R from the layer name: CONV1 7×7, *_2 3×3, else 1×1); each network runs on our searched
 * accelerator of the same PE count and dataflow (ws / rs), and total runtimes are compared.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSpec } from '../../core/types.ts';
import { CostModel } from '../cost-model.ts';
import { col, readCsvText, readReport } from '../scalesim/report.ts';
import { accelArch, type AccelConfig } from '../space/accel-space.ts';
import { check, type Check } from './checks.ts';

const RUNS = [
  ['Resnet50_kcp_ws_pe256.csv', 16, 16, 'ws'],
  ['Resnet50_kcp_ws_pe1024.csv', 32, 32, 'ws'],
  ['Resnet50_rs_pe256.csv', 16, 16, 'rs'],
] as const;

/** The conv a MAESTRO row describes, or null for residual / unresolvable rows. */
export function maestroLayer(name: string, inPix: number, wPix: number, macs: number): LayerSpec | null {
  if (/Residual/i.test(name)) return null;
  const r = /^CONV1$/i.test(name) ? 7 : /_2$/.test(name) ? 3 : 1;
  const p = Math.round(Math.sqrt(macs / wPix));
  if (p * p * wPix !== macs) return null;
  for (const stride of [1, 2]) {
    const h = (p - 1) * stride + r;
    const c = inPix / (h * h);
    const m = wPix / (c * r * r);
    if (Number.isInteger(c) && Number.isInteger(m) && c > 0 && m > 0) {
      return { name, kind: r === 1 ? 'pointwise' : 'conv', n: 1, c, m, h, w: h, p, q: p, r, s: r, stride, groups: 1, padding: 0, bits: { weights: 8, inputs: 8, outputs: 8 } };
    }
  }
  return null;
}

export function maestroChecks(dataDir: string, budget = { maxEvaluations: 300, patience: 80 }): Check[] {
  const out: Check[] = [];
  for (const [file, rows, cols, dataflow] of RUNS) {
    const path = join(dataDir, 'maestro-outputs', file);
    if (!existsSync(path)) continue;
    const layers: LayerSpec[] = [];
    let theirs = 0;
    const names = readCsvText(path);
    const nameAt = names.columns.indexOf('Layer Number');
    for (const [i, row] of readReport(path).rows.entries()) {
      const name = names.rows[i]?.[nameAt] ?? `row${i}`;
      const l = maestroLayer(name, col(row, 'Num Total Input Pixels', path), col(row, 'Num Total Weight Pixels', path), col(row, 'Num MACs', path));
      if (!l) continue;
      layers.push(l);
      theirs += col(row, 'Runtime (Cycles)', path);
    }
    const cfg: AccelConfig = { peRows: rows, peCols: cols, rfWords: 64, glbKiB: 512, dramGBps: 32, dataflow, precision: 'int8' };
    const ours = new CostModel({ ...budget, seed: 1 }).evaluate(layers, accelArch(cfg));
    out.push(check('maestro', `ResNet-50 ${rows * cols} PEs ${dataflow === 'ws' ? 'KCP-WS' : 'RS'} (${layers.length} conv layers)`, 'runtime cycles', theirs, ours.latencyCycles, { note: 'cross-tool; residual rows left out' }));
  }
  return out;
}
