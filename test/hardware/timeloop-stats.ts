/** Helpers for the Timeloop reference tests: data location, the reference problem, stats parser. */
import { referenceData } from '../reference-data.ts';
import { fromLayer, type Problem } from '../../hardware/workload.ts';

/** The Timeloop reference outputs under ../shared/research/data, or undefined when absent. */
export const REF_ROOT = referenceData('timeloop-ref-outputs');

/** The reference-architecture problem: C=3, M=32, 224×224 input, stride 2, 3×3 (P=Q=112). */
export const refConv = (): Problem => fromLayer({
  name: 'ref', kind: 'conv', n: 1, c: 3, m: 32, h: 224, w: 224, p: 112, q: 112, r: 3, s: 3,
  stride: 2, groups: 1, padding: 0, bits: { weights: 8, inputs: 8, outputs: 8 },
});

export interface RefTensor { reads: number; fills: number; updates: number; instances: number; energyPj: number }
export interface RefStats {
  levels: Map<string, Map<string, RefTensor>>;
  macEnergyPj: number;
  computes: number;
  cycles: number;
  /** Total energy from "fJ/Compute Total" × computes (more digits than the uJ line). */
  energyPj: number;
}

export function parseStats(text: string): RefStats {
  const levels = new Map<string, Map<string, RefTensor>>();
  let level = '';
  let ds: RefTensor | undefined;
  let macEnergyPj = 0;
  let first = true;
  const num = (l: string): number => Number(/:\s*([-\d.e+]+)/.exec(l)?.[1] ?? NaN);
  for (const line of text.split('\n')) {
    const h = /^=== (\S+) ===/.exec(line);
    if (h?.[1]) { level = h[1]; ds = undefined; if (!levels.has(level)) levels.set(level, new Map()); continue; }
    if (/^Networks/.test(line)) level = '';
    if (!level) continue;
    const d = /^    (\w+):\s*$/.exec(line);
    if (d?.[1]) { ds = { reads: 0, fills: 0, updates: 0, instances: 0, energyPj: 0 }; levels.get(level)?.set(d[1], ds); continue; }
    if (first && /^\s+Energy \(total\)\s+:/.test(line) && !ds) { macEnergyPj = num(line); first = false; continue; }
    if (!ds) continue;
    if (/Scalar reads \(per-instance\)/.test(line)) ds.reads = num(line);
    else if (/Scalar fills \(per-instance\)/.test(line)) ds.fills = num(line);
    else if (/Scalar updates \(per-instance\)/.test(line)) ds.updates = num(line);
    else if (/Utilized instances \(max\)/.test(line)) ds.instances = num(line);
    else if (/^\s+Energy \(total\)\s+:/.test(line)) ds.energyPj = num(line);
  }
  const computes = Number(/Computes = (\d+)/.exec(text)?.[1] ?? NaN);
  const fj = Number(/\n\s+Total\s+= ([\d.]+)/.exec(text)?.[1] ?? NaN);
  const cycles = Number(/\nCycles: (\d+)/.exec(text)?.[1] ?? NaN);
  return { levels, macEnergyPj, computes, cycles, energyPj: (fj * computes) / 1000 };
}
