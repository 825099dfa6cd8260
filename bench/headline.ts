/**
 * The headline of issue 16: one default search (`nas search`, no flags — the surrogate co-search of
 * accuracy × EDP within the Eyeriss area), then, scored exactly as the search scores (same supernet,
 * validation images, calibration seed and cost model): the largest subnet's accuracy and EDP on the
 * `eyeriss` preset, the verified Pareto front, and the best EDP ratio among verified pairs within
 * 0.5 and 1.5 points of the largest's accuracy. Goals: ≥ 4× at ≤ 0.5 pt, ≥ 20× at ≤ 1.5 pt, and a
 * front spanning from the smallest subnet's accuracy to within 0.5 pt of the largest's.
 *   npx tsx bench/headline.ts [--db FILE] [--name NAME] [--reuse] [--quick] [--warm-cache] [-- …extra `nas search` flags]
 * --reuse reads an existing experiment NAME from --db instead of searching again. The search runs with
 * an empty cache directory (NAS_CACHE_DIR: no compiled accelerator tables, no dataset split), so its
 * wall time is what a fresh clone sees; --warm-cache keeps the project's cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Metrics } from '../core/types.ts';
import { parseExperiment } from '../platform/config.ts';
import { allTrials, paretoTrials } from '../platform/front.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import { eyerissReference } from './eyeriss-reference.ts';
import type { TrialRecord } from '../storage/types.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, name: { type: 'string', default: 'headline' }, reuse: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, 'warm-cache': { type: 'boolean', default: false } } });
const db = values.db ?? join(mkdtempSync(join(tmpdir(), 'nas-headline-')), 'nas.db');
const name = values.name as string;
const load0 = loadavg()[0] as number;
let searchSeconds: number | null = null;

if (!values.reuse) {
  const bin = fileURLToPath(new URL('../bin/nas.js', import.meta.url));
  const args = ['search', '--db', db, '--name', name, ...(values.quick ? ['--quick'] : []), ...positionals];
  console.log(`$ nas ${args.join(' ')}`);
  const cache = values['warm-cache'] ? null : mkdtempSync(join(tmpdir(), 'nas-headline-cache-'));
  if (cache) console.log(`(fresh cache: NAS_CACHE_DIR=${cache})`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...(cache ? { NAS_CACHE_DIR: cache } : {}) } });
  searchSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`nas search exited ${r.status}`);
} else if (!existsSync(db)) throw new Error(`--reuse: no database at ${db}`);

const storage = await SqliteStorage.open(db, { readonly: true });
const exp = await storage.findExperiment(name);
if (!exp) throw new Error(`no experiment ${name} in ${db}`);
const trials = await allTrials(storage, exp.id);
await storage.close();
const cfg = parseExperiment(exp.config);

const { largest, smallest } = await eyerissReference(cfg);

const acc = (m: Metrics | null) => m?.['accuracy'] as number;
const edp = (m: Metrics | null) => m?.['edp_uj_ms'] as number;
const pm = (m: Metrics | null) => `${acc(m).toFixed(2)} ± ${((m?.['accuracy_se'] as number | undefined) ?? 0).toFixed(2)} %`;
const hwText = (t: TrialRecord) => (t.hw ? `${t.hw['peRows']}×${t.hw['peCols']} rf${t.hw['rfWords']} glb${t.hw['glbKiB']}k bw${t.hw['dramGBps']} ${t.hw['dataflow']} ${t.hw['precision']}` : '-');

console.log(`\nexperiment ${exp.name}: ${trials.length} trials${searchSeconds !== null ? `, search wall time ${searchSeconds.toFixed(0)} s` : ''}; load average ${load0.toFixed(1)} at start, ${(loadavg()[0] as number).toFixed(1)} now (2 cores)`);
console.log(`reference, scored as the search scores (supernet, ${cfg.accuracy?.valLimit} validation images, calibration seed ${cfg.seed}; cost model on the eyeriss preset):`);
console.log(`  largest subnet:  accuracy ${pm(largest)}, EDP ${edp(largest).toFixed(3)} µJ·ms, area ${(largest['area_mm2'] as number).toFixed(3)} mm²`);
console.log(`  smallest subnet: accuracy ${pm(smallest)}, EDP ${edp(smallest).toFixed(5)} µJ·ms`);

const front = paretoTrials(trials, exp.objectives);
console.log(`\nverified Pareto front (${front.length} of ${trials.length} trials; feasible: area ≤ ${cfg.constraints.join(', ')}):`);
console.log('     #        accuracy %      EDP µJ·ms   EDP ÷ largest@eyeriss  accelerator');
for (const t of [...front].sort((a, b) => acc(b.metrics) - acc(a.metrics))) {
  console.log(`  ${String(t.number).padStart(4)}  ${pm(t.metrics).padStart(15)}  ${edp(t.metrics).toExponential(3).padStart(11)}  ${(edp(largest) / edp(t.metrics)).toFixed(1).padStart(9)}×              ${hwText(t)}`);
}

const feasible = trials.filter((t) => t.state === 'finished' && t.feasible !== false && t.metrics);
const goals = [[0.5, 4], [1.5, 20]] as const;
let met = true;
for (const [within, goal] of goals) {
  const pool = feasible.filter((t) => acc(t.metrics) >= acc(largest) - within);
  const best = pool.sort((a, b) => edp(a.metrics) - edp(b.metrics))[0];
  const ratio = best ? edp(largest) / edp(best.metrics) : 0;
  met &&= ratio >= goal;
  console.log(`best EDP within ${within} pt of the largest's accuracy: ${best ? `trial ${best.number}, ${pm(best.metrics)}, EDP ${edp(best.metrics).toExponential(3)} µJ·ms → ${ratio.toFixed(1)}× lower` : 'none verified'} (goal ≥ ${goal}×: ${ratio >= goal ? 'met' : 'not met'})`);
}
const lo = Math.min(...front.map((t) => acc(t.metrics)));
const hi = Math.max(...front.map((t) => acc(t.metrics)));
const spans = lo <= acc(smallest) + 1e-9 && hi >= acc(largest) - 0.5;
console.log(`front spans ${lo.toFixed(2)}–${hi.toFixed(2)} %; goal: from the smallest's ${acc(smallest).toFixed(2)} % to within 0.5 pt of the largest's ${acc(largest).toFixed(2)} % — ${spans ? 'met' : 'not met'}`);
console.log(met && spans ? 'HEADLINE GOALS MET' : 'headline goals not all met');
