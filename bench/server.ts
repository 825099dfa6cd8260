/**
 * UI server benchmark on a 50,000-trial experiment: API latencies (cold and cached columns, the
 * front over all objectives, the hypervolume history cold and cached, sorted and filtered trials
 * pages, a CSV download) and, where Chromium exists, the time from opening the experiment page to
 * the scatter being drawn. Prints medians of --runs repetitions.
 *
 *   npx tsx bench/server.ts [--trials 50000] [--runs 5] [--db FILE]
 * --db serves an existing SQLite file read-only (its largest experiment) instead of a MemoryStorage
 * filled here; filling SQLite with 50,000 trials takes minutes, so it is never done by this script.
 */
import { parseArgs } from 'node:util';
import { createApp } from '../server/app.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import type { Storage } from '../storage/storage.ts';
import { fillExperiment } from '../testkit/fixtures.ts';
import { serve } from '../testkit/serve.ts';
import { HAVE_CHROMIUM, launch } from '../testkit/browser.ts';

const { values: args } = parseArgs({ options: { trials: { type: 'string', default: '50000' }, runs: { type: 'string', default: '5' }, db: { type: 'string' } } });
const runs = Number(args.runs);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

let storage: Storage;
let t0 = performance.now();
if (args.db) {
  storage = await SqliteStorage.open(args.db, { readonly: true });
  console.log(`storage: ${args.db} (SQLite, read-only)`);
} else {
  storage = new MemoryStorage();
  await fillExperiment(storage, { name: 'bench', trials: Number(args.trials), seed: 1, running: 0 });
  console.log(`storage: MemoryStorage filled with ${args.trials} trials in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const exp = [...(await storage.listExperiments())].sort((a, b) => b.trials.total - a.trials.total)[0];
if (!exp) throw new Error('no experiment to serve');
console.log(`experiment ${exp.id} "${exp.name}": ${exp.trials.total} trials (${exp.trials.finished} finished)`);

// Cold columns: a fresh app (fresh cache) per run; then the history over all objectives on that
// app's columns (computed once per column set, so its first request is the cost that matters).
const cold: number[] = [];
const coldHistory: number[] = [];
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const srv = await serve(createApp({ storage }));
  cold.push(await time(async () => (bytes = (await (await fetch(`${srv.url}/api/experiments/${exp.id}/points`)).arrayBuffer()).byteLength)));
  coldHistory.push(await time(async () => (await fetch(`${srv.url}/api/experiments/${exp.id}/history`)).arrayBuffer()));
  await srv.close();
}
console.log(`GET /points (cold)              median ${median(cold).toFixed(0)} ms  (${(bytes / 1e6).toFixed(2)} MB JSON)`);
console.log(`GET /history (first, ${exp.objectives.length} objectives) median ${median(coldHistory).toFixed(0)} ms`);

const srv = await serve(createApp({ storage }));
const [o1] = exp.objectives.map((o) => o.name);
const filter = encodeURIComponent(JSON.stringify({ [o1 as string]: [null, null] }));
const routes: [string, string][] = [
  ['GET /points (cached)', `/api/experiments/${exp.id}/points`],
  ['GET /pareto (all objectives)', `/api/experiments/${exp.id}/pareto`],
  ['GET /history (cached)', `/api/experiments/${exp.id}/history`],
  ['GET /trials sorted, page 200', `/api/experiments/${exp.id}/trials?sort=${o1}&order=desc&limit=50&offset=10000`],
  ['GET /trials filtered+sorted', `/api/experiments/${exp.id}/trials?filter=${filter}&sort=pes&order=desc&limit=50&offset=10000`],
  ['GET /download csv (all)', `/api/experiments/${exp.id}/download?format=csv`],
  ['GET /experiments', '/api/experiments'],
];
await fetch(`${srv.url}${routes[0]?.[1]}`);
for (const [name, path] of routes) {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(await time(async () => (await fetch(`${srv.url}${path}`)).arrayBuffer()));
  console.log(`${name.padEnd(32)} median ${median(ts).toFixed(1)} ms`);
}

if (HAVE_CHROMIUM) {
  const browser = await launch();
  const page = await browser.context.newPage();
  const ts: number[] = [];
  let status = '';
  for (let i = 0; i < runs; i++) {
    await page.goto('about:blank');
    t0 = performance.now();
    await page.goto(`${srv.url}/#/experiments/${exp.id}`);
    const scatter = page.locator('#scatter');
    while (!(await scatter.getAttribute('data-front'))) await new Promise((r) => setTimeout(r, 20));
    ts.push(performance.now() - t0);
    status = (await page.locator('#scatter-status').textContent()) ?? '';
  }
  console.log(`browser: open experiment → scatter drawn  median ${median(ts).toFixed(0)} ms  [${status}]`);
  // Axis switch: the front comes with the columns, so this is a client-side redraw of every point.
  const names = exp.objectives.map((o) => o.name);
  const sw: number[] = [];
  for (let i = 0; i < runs; i++) {
    const x = names[i % 2 === 0 ? 2 : 1] as string;
    t0 = performance.now();
    await page.selectOption('#axis-x', { label: x });
    while (!((await page.locator('#scatter').getAttribute('data-axes')) ?? '').startsWith(`${x},`)) await new Promise((r) => setTimeout(r, 10));
    sw.push(performance.now() - t0);
  }
  console.log(`browser: switch X axis → redrawn         median ${median(sw).toFixed(0)} ms`);
  await browser.close();
} else {
  console.log('browser: skipped (no Chromium)');
}
await srv.close();
await storage.close();
