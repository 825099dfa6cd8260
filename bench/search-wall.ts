/**
 * Wall time of `nas search` from an empty cache (a fresh clone: dataset split, checkpoint
 * verification, accelerator screening and tables all paid), for one or more checkouts run in turn
 * — A, B, A, B, … — so a change in the machine's load hits each alike. Prints each run with the load
 * average at its start and end, then the median per checkout. With `--compare`, checks that every
 * run stored the same trials, predictions and round records as the first (bench/compare-runs.ts).
 *
 * Usage: npx tsx bench/search-wall.ts [--runs 2] [--compare] --tree /path/to/old --tree . -- --quick
 *   (everything after `--` goes to `nas search`; each tree needs node_modules and kernels/build)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { summarize } from '../core/stats.ts';

const split = process.argv.indexOf('--');
const { values } = parseArgs({
  args: process.argv.slice(2, split < 0 ? undefined : split),
  options: { runs: { type: 'string', default: '2' }, tree: { type: 'string', multiple: true }, compare: { type: 'boolean', default: false } },
});
const searchArgs = split < 0 ? [] : process.argv.slice(split + 1);
const trees = (values.tree ?? ['.']).map((t) => resolve(t));
const runs = Number(values.runs);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const walls = new Map<string, number[]>(trees.map((t) => [t, []]));
const dbs: string[] = [];

for (let r = 0; r < runs; r++) {
  for (const tree of trees) {
    const dir = mkdtempSync(join(tmpdir(), 'nas-wall-'));
    const db = join(dir, 'nas.db');
    const before = load();
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [join(tree, 'bin', 'nas.js'), 'search', '--db', db, '--json', ...searchArgs], { cwd: tree, env: { ...process.env, NAS_CACHE_DIR: join(dir, 'cache') }, stdio: ['ignore', 'ignore', 'pipe'] });
    const s = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`nas search in ${tree} exited ${p.status}: ${p.stderr.toString().slice(-500)}`);
    walls.get(tree)!.push(s);
    dbs.push(db);
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    process.stdout.write(`${tree}  run ${r + 1}: ${s.toFixed(1)} s  (load ${before} → ${load()})\n`);
  }
}
for (const [tree, w] of walls) process.stdout.write(`${tree}: median ${summarize(w).median.toFixed(1)} s over ${w.length} runs (${w.map((x) => x.toFixed(1)).join(', ')})\n`);
if (values.compare) {
  for (const db of dbs.slice(1)) {
    const c = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'compare-runs.ts'), dbs[0] as string, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(`${db} vs ${dbs[0]}: ${c.stdout.toString().trim()}\n`);
    if (c.status !== 0) process.exitCode = 1;
  }
}
