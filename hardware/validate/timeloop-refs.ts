/**
 * Timeloop v0.4 + Accelergy reference outputs (timeloop-ref-outputs/ of the reference data, read at
 * run time): the tutorials' problems and the four reference architectures' conv, each with the
 * reference mapping and ERT. Per case: every per-level, per-data-space scalar read / fill / update
 * count and utilized-instance count, the cycles (all exact), the energy (tutorials exact to 1e-5;
 * the architectures within 1 %, their ERTs carry address-generation terms we do not model) and, for
 * the architectures, our mapper's best EDP against the reference mapper's (goal ≤ 1.1×).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../model/analysis.ts';
import { mapLayer } from '../mapper/mapper.ts';
import { readTimeloopArch } from '../timeloop/arch.ts';
import { readTimeloopMap } from '../timeloop/map.ts';
import { readTimeloopProblem } from '../timeloop/problem.ts';
import { fromLayer, type Problem } from '../workload.ts';
import { check, type Check } from './checks.ts';

export const TIMELOOP_ARCHS = ['eyeriss_like', 'simba_like', 'simple_weight_stationary', 'simple_output_stationary'] as const;

/** The reference architectures' problem: C=3, M=32, 224×224 input, stride 2, 3×3 (P=Q=112). */
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

/** Parses a timeloop-model / timeloop-mapper stats.txt. */
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

export interface TimeloopCase { name: string; arch: string; prob?: string; map: string; stats: string; energyTolerance: number; referenceArch: boolean }

/** The 12 tutorial cases and the 4 reference architectures under `root` (timeloop-ref-outputs/). */
export function timeloopCases(root: string): TimeloopCase[] {
  const out: TimeloopCase[] = [];
  const tut = join(root, 'tutorial');
  for (const d of existsSync(tut) ? readdirSync(tut).sort() : []) {
    const base = join(tut, d);
    const arch = join(base, 'arch', readdirSync(join(base, 'arch'))[0] ?? '');
    const prob = join(base, 'prob', readdirSync(join(base, 'prob'))[0] ?? '');
    const outs = readdirSync(join(base, 'ref-output'));
    const dirs = outs.some((f) => f.endsWith('.txt')) ? [''] : outs;
    for (const v of dirs) {
      const dir = join(base, 'ref-output', v);
      const files = readdirSync(dir);
      const f = (suffix: string): string => join(dir, files.find((x) => x.endsWith(suffix)) ?? '');
      out.push({ name: `${d}/${v}`.replace(/\/$/, ''), arch, prob, map: f('map.txt'), stats: f('stats.txt'), energyTolerance: 1e-5, referenceArch: false });
    }
  }
  for (const d of TIMELOOP_ARCHS) {
    if (!existsSync(join(root, d))) continue;
    out.push({ name: d, arch: join(root, d, 'arch.yaml'), map: join(root, d, 'timeloop-mapper.map.txt'), stats: join(root, d, 'timeloop-mapper.stats.txt'), energyTolerance: 0.01, referenceArch: true });
  }
  return out;
}

export function timeloopChecks(root: string, mapperBudget = { maxEvaluations: 1500, patience: 500, seed: 3 }): Check[] {
  const out: Check[] = [];
  for (const c of timeloopCases(root)) {
    const ta = readTimeloopArch(c.arch, join(c.stats, '..'));
    const p = c.prob ? readTimeloopProblem(c.prob) : refConv();
    const ev = analyze(p, ta.arch, readTimeloopMap(c.map, p, ta));
    const ref = parseStats(readFileSync(c.stats, 'utf8'));
    let total = 0;
    let equal = 0;
    ta.arch.levels.forEach((lv, l) => {
      p.dataSpaces.forEach((ds, t) => {
        const r = ref.levels.get(lv.name)?.get(ds.name);
        const o = ev.levels[l]?.tensors[t] ?? null;
        if (!r && !o) return;
        total++;
        if (r && o && o.reads === r.reads && o.fills === r.fills && o.updates === r.updates && ev.levels[l]?.utilizedInstances === r.instances) equal++;
      });
    });
    const name = c.referenceArch ? c.name : `tutorial ${c.name}`;
    out.push(check('timeloop', name, 'level×tensor access counts equal', total, equal, { exact: true, note: 'reads, fills, updates, utilized instances' }));
    out.push(check('timeloop', name, 'cycles', ref.cycles, ev.cycles, { exact: true }));
    out.push(check('timeloop', name, 'energy pJ', ref.energyPj, ev.energyPj, c.referenceArch ? { tolerance: c.energyTolerance, note: 'ERT address-generation terms not modelled' } : { exact: true, tolerance: c.energyTolerance }));
    if (c.referenceArch) {
      const m = mapLayer(p, ta.arch, { objective: 'edp', ...mapperBudget });
      out.push(check('timeloop', name, 'mapper EDP ÷ Timeloop mapper EDP', 1, (m.evaluation.energyPj * m.evaluation.cycles) / (ref.energyPj * ref.cycles), { tolerance: 0.1, note: 'goal 0.9–1.1× (like-for-like mapspace); below 1 = better than Timeloop' }));
    }
  }
  return out;
}
