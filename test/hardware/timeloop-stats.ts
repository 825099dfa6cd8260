/** Helpers for the Timeloop reference tests: data location, the reference problem, stats parser. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Evaluation } from '../../hardware/model/analysis.ts';
import type { ArchSpec } from '../../hardware/spec.ts';
import { fromLayer, type Problem } from '../../hardware/workload.ts';

/** ../shared relative to the project root (tests run from it), or the absolute shared path. */
export const REF_ROOT = [resolve('../shared/research/data/timeloop-ref-outputs'), '/work/shared/research/data/timeloop-ref-outputs'].find(existsSync);

/** The reference-architecture problem: C=3, M=32, 224×224 input padded by 1, stride 2, 3×3 (P=Q=112). */
export const refConv = (): Problem => fromLayer({
  name: 'ref', kind: 'conv', n: 1, c: 3, m: 32, h: 224, w: 224, p: 112, q: 112, r: 3, s: 3,
  stride: 2, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 },
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

/** Every per-level, per-tensor count (and instances) that differs from the reference stats, as text. */
export function statsMismatches(a: ArchSpec, p: Problem, ev: Evaluation, ref: RefStats): string[] {
  const out: string[] = [];
  a.levels.forEach((lv, l) => {
    const rl = ref.levels.get(lv.name);
    if (!rl) { out.push(`${lv.name}: not in the reference`); return; }
    p.dataSpaces.forEach((ds, t) => {
      const r = rl.get(ds.name);
      const o = ev.levels[l]?.tensors[t];
      if ((o === null || o === undefined) !== (r === undefined)) { out.push(`${lv.name}.${ds.name}: bypass differs`); return; }
      if (!r || !o) return;
      const ours = { reads: o.reads, fills: o.fills, updates: o.updates, inst: ev.levels[l]?.utilizedInstances };
      const theirs = { reads: r.reads, fills: r.fills, updates: r.updates, inst: r.instances };
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) out.push(`${lv.name}.${ds.name}: ${JSON.stringify(ours)} ≠ ${JSON.stringify(theirs)}`);
    });
  });
  if (ev.cycles !== ref.cycles) out.push(`cycles ${ev.cycles} ≠ ${ref.cycles}`);
  if (ev.computes !== ref.computes) out.push(`computes ${ev.computes} ≠ ${ref.computes}`);
  return out;
}
