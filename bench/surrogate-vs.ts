/**
 * Surrogate loop vs direct NSGA-II vs random search at equal wall time (issue 16 item 5): each
 * strategy runs the default experiment (`nas search --strategy S --seed K`: accuracy × EDP, area ≤
 * the Eyeriss preset's, supernet on 5,000 validation images) as a user would, and is stopped with
 * Ctrl-C after the same number of minutes; trials committed by then count. Per run: verified
 * trials, hypervolume of the verified front, best verified accuracy, wall time.
 * Hypervolume: over (accuracy, log10 EDP) — EDP spans four decades — with one reference point for
 * every run: the smallest subnet's accuracy minus 1 point, and the largest subnet's EDP on the
 * eyeriss preset (bench/eyeriss-reference.ts), so a run scores only what beats that chip's corner.
 *   npx tsx bench/surrogate-vs.ts [--minutes 10] [--seeds 0,1,2] [--strategies surrogate,nsga2,random] [--dir DIR] [--reuse]
 * --reuse scores the databases already in --dir instead of searching again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
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
const seeds = (values.seeds as string).split(',').map(Number);
const strategies = (values.strategies as string).split(',');
const ms = Number(values.minutes) * 60_000;
const bin = fileURLToPath(new URL('../bin/nas.js', import.meta.url));

/** `nas search` stopped with SIGINT (Ctrl-C: it stops after the step in flight is abandoned) once `ms` have passed. */
function search(strategy: string, seed: number, db: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'search', '--db', db, '--name', 'run', '--strategy', strategy, '--seed', String(seed)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGINT'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 || code === 130) resolve((performance.now() - t0) / 1000);
      else reject(new Error(`${strategy} seed ${seed}: nas search exited ${code}`));
    });
  });
}

interface Row { strategy: string; seed: number; trials: number; hv: number; best: number; bestSe: number; seconds: number | null; load: number }
const rows: Row[] = [];
let reference: Awaited<ReturnType<typeof eyerissReference>> | undefined;
for (const strategy of strategies) {
  for (const seed of seeds) {
    const db = join(dir, `${strategy}-${seed}.db`);
    const load = loadavg()[0] as number;
    const seconds = values.reuse && existsSync(db) ? null : await search(strategy, seed, db);
    const s = await SqliteStorage.open(db, { readonly: true });
    const exp = await s.findExperiment('run');
    if (!exp) throw new Error(`no experiment in ${db}`);
    const trials = await allTrials(s, exp.id);
    await s.close();
    reference ??= await eyerissReference(parseExperiment(exp.config));
    const ref = [-((reference.smallest['accuracy'] as number) - 1), Math.log10(reference.largest['edp_uj_ms'] as number)];
    const front = paretoTrials(trials, exp.objectives);
    const points = front.map((t) => [-(t.metrics?.['accuracy'] as number), Math.log10(t.metrics?.['edp_uj_ms'] as number)]);
    const bestTrial = trials.filter((t) => t.state === 'finished' && t.feasible !== false).sort((a, b) => (b.metrics?.['accuracy'] as number) - (a.metrics?.['accuracy'] as number))[0];
    rows.push({ strategy, seed, trials: trials.filter((t) => t.state !== 'running').length, hv: hypervolume2d(points, ref), best: bestTrial?.metrics?.['accuracy'] as number, bestSe: bestTrial?.metrics?.['accuracy_se'] as number, seconds, load });
    const r = rows[rows.length - 1] as Row;
    console.log(`${strategy} seed ${seed}: ${r.trials} trials, HV ${r.hv.toFixed(3)}, best ${r.best.toFixed(2)} ± ${r.bestSe.toFixed(2)} %${seconds !== null ? `, ${seconds.toFixed(0)} s` : ''} (load ${load.toFixed(1)} at start)`);
  }
}
if (reference) {
  console.log(`\nreference point: accuracy ${((reference.smallest['accuracy'] as number) - 1).toFixed(2)} % (smallest subnet − 1 pt), EDP ${(reference.largest['edp_uj_ms'] as number).toFixed(2)} µJ·ms (largest subnet on eyeriss); HV over (accuracy %, log10 EDP)`);
}
const pm = (xs: number[], d: number) => `${summarize(xs).mean.toFixed(d)} ± ${summarize(xs).std.toFixed(d)}`;
console.log(`equal wall time: ${values.minutes} min per run; mean ± sd over seeds ${seeds.join(', ')}`);
console.log('strategy    verified trials   HV of verified front   best verified accuracy %   wall s');
for (const strategy of strategies) {
  const rs = rows.filter((r) => r.strategy === strategy);
  const wall = rs.flatMap((r) => (r.seconds === null ? [] : [r.seconds]));
  console.log(`${strategy.padEnd(10)}  ${pm(rs.map((r) => r.trials), 1).padStart(15)}   ${pm(rs.map((r) => r.hv), 3).padStart(20)}   ${pm(rs.map((r) => r.best), 2).padStart(24)}   ${wall.length ? pm(wall, 0) : '-'}`);
}
