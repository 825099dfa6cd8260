/**
 * Constrained mapping of the four Timeloop reference layers (eyeriss_like, simba_like, simple WS,
 * simple OS: C=3, M=32, 224×224, stride 2, 3×3) under each arch's inline constraints: wall time per
 * layer on one core, and the best EDP ÷ the reference mapper's EDP, constrained and with
 * `--mapspace free`. Exact tilings (as Timeloop), 2,000 candidates, victory condition 500 — the
 * budget of `nas hw eval` on a Timeloop problem. Medians over runs with different seeds.
 * Needs ../shared/research/data. Usage: npx tsx bench/hw-mapspace.ts [runs] [budget] [patience]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mapLayer } from '../hardware/mapper/mapper.ts';
import { withoutLoopConstraints } from '../hardware/mapspace/constraints.ts';
import { analyze } from '../hardware/model/analysis.ts';
import { readTimeloopArch } from '../hardware/timeloop/arch.ts';
import { readTimeloopMap } from '../hardware/timeloop/map.ts';
import { resolveDataDir } from '../hardware/validate/index.ts';
import { fromLayer } from '../hardware/workload.ts';

// The reference data as `nas hw validate` finds it: $NAS_REFERENCE_DATA, else ../shared/research/data.
const dataDir = resolveDataDir();
const root = dataDir === null ? undefined : [join(dataDir, 'timeloop-ref-outputs')].find(existsSync);
if (!root) {
  console.log('bench/hw-mapspace: timeloop-ref-outputs not found in the reference data ($NAS_REFERENCE_DATA or ../shared/research/data); nothing to measure');
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 5);
const budget = { maxEvaluations: Number(process.argv[3] ?? 2000), patience: Number(process.argv[4] ?? 500), paddingRate: 0 };
const median = (xs: number[]): number => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const p = fromLayer({
  name: 'ref', kind: 'conv', n: 1, c: 3, m: 32, h: 224, w: 224, p: 112, q: 112, r: 3, s: 3, stride: 2, groups: 1, padding: 1,
  bits: { weights: 8, inputs: 8, outputs: 8 },
});

console.log(`constrained mapping, ${budget.maxEvaluations} candidates, victory condition ${budget.patience}, exact tilings; medians of ${runs} seeds`);
console.log('design                      time/layer   EDP ÷ reference (constrained)   (free)   candidates valid');
for (const d of ['eyeriss_like', 'simba_like', 'simple_weight_stationary', 'simple_output_stationary']) {
  const ta = readTimeloopArch(join(root, d, 'arch.yaml'));
  const ref = analyze(p, ta.arch, readTimeloopMap(join(root, d, 'timeloop-mapper.map.txt'), p, ta));
  const refEdp = ref.energyPj * ref.cycles;
  const free = withoutLoopConstraints(ta.arch);
  const ms: number[] = [];
  const ratio: number[] = [];
  const freeRatio: number[] = [];
  const valid: number[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const t = performance.now();
    const r = mapLayer(p, ta.arch, { ...budget, seed });
    ms.push(performance.now() - t);
    ratio.push((r.evaluation.energyPj * r.evaluation.cycles) / refEdp);
    valid.push(r.valid);
    const f = mapLayer(p, free, { ...budget, seed });
    freeRatio.push((f.evaluation.energyPj * f.evaluation.cycles) / refEdp);
  }
  console.log(`${d.padEnd(26)} ${(median(ms) / 1000).toFixed(2).padStart(8)} s   ${median(ratio).toFixed(3).padStart(10)} (min ${Math.min(...ratio).toFixed(3)}, max ${Math.max(...ratio).toFixed(3)})   ${median(freeRatio).toFixed(3).padStart(6)}   ${median(valid)}`);
}
console.log('goal: ≤ 5 s per layer on one core');
