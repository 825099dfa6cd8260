/**
 * Evidence for the two reference designs where our constrained mapper's EDP falls outside 0.9–1.1×
 * of Timeloop's mapper (eyeriss_like, simba_like): is the better mapping genuine, or an accounting
 * error? For each design it prints
 *  1. Timeloop's mapping costed by our model beside Timeloop's own stats (they agree: the reference);
 *  2. our best mapping (the `nas hw validate` budget, seeds 1–3): every capacity, fan-out,
 *     constraint and exact-tiling check it passes, and its counts re-computed after a round trip
 *     through Timeloop's map.txt format (the file a user can hand to Timeloop's model to confirm);
 *  3. per level, energy and accesses of both mappings, so the saving is located.
 * Needs ../shared/research/data. Usage: npx tsx bench/hw-mapspace-outliers.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileMapspace } from '../hardware/mapspace/compile.ts';
import { constraintViolations, paddingViolations } from '../hardware/mapspace/validate.ts';
import { mapLayer } from '../hardware/mapper/mapper.ts';
import { analyze, type Evaluation } from '../hardware/model/analysis.ts';
import { formatMapping, type Mapping } from '../hardware/model/mapping.ts';
import { readTimeloopArch } from '../hardware/timeloop/arch.ts';
import { parseTimeloopMapTxt, readTimeloopMap } from '../hardware/timeloop/map.ts';
import { resolveDataDir } from '../hardware/validate/index.ts';
import { parseStats, refConv } from '../hardware/validate/timeloop-refs.ts';

// The reference data as `nas hw validate` finds it: $NAS_REFERENCE_DATA, else ../shared/research/data.
const dataDir = resolveDataDir();
const root = dataDir === null ? undefined : [join(dataDir, 'timeloop-ref-outputs')].find(existsSync);
if (!root) {
  console.log('bench/hw-mapspace-outliers: timeloop-ref-outputs not found in the reference data ($NAS_REFERENCE_DATA or ../shared/research/data); nothing to check');
  process.exit(0);
}
const p = refConv();
const edp = (e: Evaluation): number => e.energyPj * e.cycles;
const accesses = (e: Evaluation, l: number): number => (e.levels[l]?.tensors ?? []).reduce((s, t) => s + (t ? t.reads + t.fills + t.updates : 0), 0) * (e.levels[l]?.utilizedInstances ?? 1);

/** formatMapping's headings name kept tensors; Timeloop's map.txt writes Name:tile — any tile parses. */
function asMapTxt(text: string): string {
  return text.split('\n').map((line) => line.replace(/^(\S+) \[(.*)\]$/, (_m, lv: string, kept: string) => `${lv} [ ${kept.trim().split(/\s+/).filter(Boolean).map((k) => `${k}:1`).join(' ')} ]`)).join('\n');
}

for (const d of ['eyeriss_like', 'simba_like']) {
  const ta = readTimeloopArch(join(root, d, 'arch.yaml'), join(root, d));
  const stats = parseStats(readFileSync(join(root, d, 'timeloop-mapper.stats.txt'), 'utf8'));
  const ref = analyze(p, ta.arch, readTimeloopMap(join(root, d, 'timeloop-mapper.map.txt'), p, ta));
  console.log(`\n== ${d}`);
  console.log(`Timeloop's mapping: Timeloop stats ${stats.cycles} cycles, ${(stats.energyPj / 1e6).toFixed(3)} µJ; our model ${ref.cycles} cycles, ${(ref.energyPj / 1e6).toFixed(3)} µJ, utilization ${(ref.utilization * 100).toFixed(1)} %`);
  let best: { m: Mapping; e: Evaluation } | undefined;
  for (const seed of [1, 2, 3]) {
    const r = mapLayer(p, ta.arch, { objective: 'edp', maxEvaluations: 1500, patience: 500, seed, paddingRate: 0 });
    if (!best || edp(r.evaluation) < edp(best.e)) best = { m: r.mapping, e: r.evaluation };
  }
  if (!best) continue;
  const ours = best.e;
  const cm = compileMapspace(p, ta.arch);
  const problems = [...ours.violations, ...constraintViolations(p, ta.arch, best.m, cm), ...paddingViolations(p, best.m)];
  const round = analyze(p, ta.arch, parseTimeloopMapTxt(asMapTxt(formatMapping(p, ta.arch, best.m)), p, ta.arch));
  console.log(`our best mapping: ${ours.cycles} cycles, ${(ours.energyPj / 1e6).toFixed(3)} µJ, utilization ${(ours.utilization * 100).toFixed(1)} %; EDP ÷ Timeloop's ${(edp(ours) / edp(ref)).toFixed(3)}`
    + ` (cycles ${(ours.cycles / ref.cycles).toFixed(3)}×, energy ${(ours.energyPj / ref.energyPj).toFixed(3)}×)`);
  console.log(`  capacity/fan-out/constraint/exact-tiling violations: ${problems.length ? problems.join('; ') : 'none'}`);
  console.log(`  re-costed after a map.txt round trip: ${round.cycles} cycles, ${(round.energyPj / 1e6).toFixed(3)} µJ (${round.cycles === ours.cycles && Math.abs(round.energyPj - ours.energyPj) < 1e-6 * ours.energyPj ? 'same' : 'DIFFERENT'})`);
  console.log('  level                       Timeloop µJ   ours µJ   Timeloop accesses   ours accesses');
  ta.arch.levels.forEach((lv, l) => {
    const a = ref.levels[l];
    const b = ours.levels[l];
    console.log(`  ${lv.name.padEnd(26)} ${((a?.energyPj ?? 0) / 1e6).toFixed(3).padStart(11)} ${((b?.energyPj ?? 0) / 1e6).toFixed(3).padStart(9)} ${String(accesses(ref, l)).padStart(19)} ${String(accesses(ours, l)).padStart(15)}`);
  });
  console.log(`  ${'MACs'.padEnd(26)} ${(ref.macEnergyPj / 1e6).toFixed(3).padStart(11)} ${(ours.macEnergyPj / 1e6).toFixed(3).padStart(9)}`);
  console.log('  our mapping (map.txt style):');
  console.log(formatMapping(p, ta.arch, best.m).split('\n').map((x) => `    ${x}`).join('\n'));
}
