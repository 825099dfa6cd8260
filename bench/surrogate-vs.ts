/**
 * Surrogate loop vs direct NSGA-II vs random search at equal wall time (issue 16 item 5): each
 * strategy runs the default experiment (`nas search --strategy S --seed K`: accuracy × EDP, area ≤
 * the Eyeriss preset's, supernet on 5,000 validation images; budget raised so that time is the only
 * limit) as a user would, and is stopped with Ctrl-C once it has searched for the same number of
 * minutes. The clock starts when the search loop starts (its first step), after the set-up every
 * strategy pays alike (tensor backend, checkpoint verification ≈ 1 min); everything the surrogate
 * does in the loop (screening accelerators, compiling cost tables, fitting, inner search) counts
 * against its minutes. Trials completed (finished or failed) by the stop count; the step in flight
 * at the stop is abandoned. Per run: trials, hypervolume of the verified front, best verified
 * accuracy, search and total wall time; then per strategy the median (min–max) over seeds.
 * Hypervolume: over (accuracy, log10 EDP) — EDP spans four decades — with one reference point for
 * every run: the smallest subnet's accuracy minus 1 point, and the largest subnet's EDP on the
 * eyeriss preset (bench/eyeriss-reference.ts), so a run scores only what beats that chip's corner.
 *   npx tsx bench/surrogate-vs.ts [--minutes 10] [--seeds 0,1,2] [--strategies surrogate,nsga2,random] [--dir DIR] [--reuse]
 * --reuse scores the databases already in --dir instead of searching again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hypervolume2d } from '../core/pareto.ts';
import { summarize } from '../core/stats.ts';
import { parseExperiment } from '../platform/config.ts';
import { allTrials, paretoTrials } from '../platform/front.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import { eyerissReference } from './eyeriss-reference.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seeds: { type: 'string', default: '0,1,2' }, strategies: { type: 'string', default: 'surrogate,nsga2,random' }, dir: { type: 'string' }, reuse: { type: 'boolean', default: false } } });
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'nas-vs-'));
mkdirSync(dir, { recursive: true });
const seeds = (values.seeds as string).split(',').map(Number);
const strategies = (values.strategies as string).split(',');
const ms = Number(values.minutes) * 60_000;
const bin = fileURLToPath(new URL('../bin/nas.js', import.meta.url));
/** Far more than any run completes in its minutes: the clock, not the budget, ends every run. */
const BUDGET = 100_000;

/** `nas search`, stopped with SIGINT (Ctrl-C) `ms` after its search loop started; seconds searched and in all. */
function search(strategy: string, seed: number, db: string): Promise<{ search: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let started: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const child = spawn(process.execPath, [bin, 'search', '--db', db, '--name', 'run', '--strategy', strategy, '--seed', String(seed), '--budget', String(BUDGET)], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      process.stderr.write(text);
      // the progress line of the search loop ("search run: 0/100000 …") marks the start of the clock
      if (started === null && /^search run: /m.test(text)) {
        started = performance.now();
        timer = setTimeout(() => child.kill('SIGINT'), ms);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const end = performance.now();
      if (started === null) reject(new Error(`${strategy} seed ${seed}: nas search exited ${code} before searching`));
      else if (code === 0 || code === 130) resolve({ search: (end - started) / 1000, total: (end - t0) / 1000 });
      else reject(new Error(`${strategy} seed ${seed}: nas search exited ${code}`));
    });
  });
}

interface Row { strategy: string; seed: number; trials: number; hv: number; best: number; bestSe: number; search: number | null; total: number | null; load: number }
const rows: Row[] = [];
let reference: Awaited<ReturnType<typeof eyerissReference>> | undefined;
for (const strategy of strategies) {
  for (const seed of seeds) {
    const db = join(dir, `${strategy}-${seed}.db`);
    const load = loadavg()[0] as number;
    const wall = values.reuse && existsSync(db) ? null : await search(strategy, seed, db);
    const s = await SqliteStorage.open(db, { readonly: true });
    const exp = await s.findExperiment('run');
    if (!exp) throw new Error(`no experiment in ${db}`);
    const trials = (await allTrials(s, exp.id)).filter((t) => t.state === 'finished' || t.state === 'failed');
    await s.close();
    reference ??= await eyerissReference(parseExperiment(exp.config));
    const ref = [-((reference.smallest['accuracy'] as number) - 1), Math.log10(reference.largest['edp_uj_ms'] as number)];
    const front = paretoTrials(trials, exp.objectives);
    const points = front.map((t) => [-(t.metrics?.['accuracy'] as number), Math.log10(t.metrics?.['edp_uj_ms'] as number)]);
    const bestTrial = trials.filter((t) => t.state === 'finished' && t.feasible !== false).sort((a, b) => (b.metrics?.['accuracy'] as number) - (a.metrics?.['accuracy'] as number))[0];
    // no verified trial yet (stopped while preparing): HV 0, no best accuracy
    const best = (bestTrial?.metrics?.['accuracy'] as number | undefined) ?? Number.NaN;
    const bestSe = (bestTrial?.metrics?.['accuracy_se'] as number | undefined) ?? Number.NaN;
    rows.push({ strategy, seed, trials: trials.length, hv: points.length > 0 ? hypervolume2d(points, ref) : 0, best, bestSe, search: wall?.search ?? null, total: wall?.total ?? null, load });
    const r = rows[rows.length - 1] as Row;
    console.log(`${strategy} seed ${seed}: ${r.trials} trials, HV ${r.hv.toFixed(3)}, best ${Number.isNaN(best) ? '-' : `${best.toFixed(2)} ± ${bestSe.toFixed(2)} %`}${wall ? `, searched ${wall.search.toFixed(0)} s of ${wall.total.toFixed(0)} s` : ''} (load ${load.toFixed(1)} at start)`);
  }
}
if (reference) {
  console.log(`\nreference point: accuracy ${((reference.smallest['accuracy'] as number) - 1).toFixed(2)} % (smallest subnet − 1 pt), EDP ${(reference.largest['edp_uj_ms'] as number).toFixed(2)} µJ·ms (largest subnet on eyeriss); HV over (accuracy %, log10 EDP)`);
}
/** `median (min–max)` over seeds. */
function mm(values: readonly number[], d: number): string {
  const xs = values.filter((x) => !Number.isNaN(x));
  if (xs.length === 0) return '-';
  const s = summarize(xs);
  return `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
}
console.log(`equal wall time: ${values.minutes} min of search per run (after the common set-up); median (min–max) over seeds ${seeds.join(', ')}; load average ${(loadavg()[0] as number).toFixed(1)} at the end (2 cores)`);
const header = ['strategy', 'trials', 'HV of verified front', 'best verified accuracy %', 'search s', 'total wall s'];
const table = strategies.map((strategy) => {
  const rs = rows.filter((r) => r.strategy === strategy);
  const some = (f: (r: Row) => number | null) => rs.flatMap((r) => { const v = f(r); return v === null ? [] : [v]; });
  return [strategy, mm(rs.map((r) => r.trials), 0), mm(rs.map((r) => r.hv), 3), mm(rs.map((r) => r.best), 2), mm(some((r) => r.search), 0), mm(some((r) => r.total), 0)];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
for (const row of [header, ...table]) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('   '));
