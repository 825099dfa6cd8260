/**
 * Search speed (issue 6 item 7) on the default mbconv space:
 *  1. strategy overhead per trial — `ask` + `tell` only, evaluation excluded — for each strategy;
 *  2. trials per second end to end through `runExperiment` + MemoryStorage with predictor-based
 *     evaluation: compiled LUT latency + MLP accuracy predictor + accelerator cost compiled for the
 *     preset (every distinct layer of the space mapped once, before the search; its build time is
 *     printed with the setup); evolution also on an SQLite file (one transaction per step);
 *  3. the goal case, regularized evolution "100 × 500" read as Once-for-All runs it: population
 *     100, 500 generations of 100 children = 50,000 evaluations, one generation per ask/tell step.
 * Storage calls (startTrial(s), commitStep) and strategy snapshots are timed apart from the rest.
 * Usage: npx tsx bench/search.ts [--backend wasm] [--runs 3] [--budget 2000] [--generations 500]
 *        [--population 100] [--hidden 128x128] [--hw eyeriss] [--sections 1,2,3] [--cost-cache DIR]
 * `--cost-cache DIR` keeps the compiled accelerator table in DIR (built on the first run only).
 * Each end-to-end line gives wall time and process CPU time (the latter is what a machine shared
 * with other jobs does not inflate).
 * The LUT is synthetic (timings irrelevant to throughput) and the predictor is fitted on a
 * synthetic target, so the bench needs no database or supernet; the accelerator model is the real one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import { runExperiment } from '../platform/run-experiment.ts';
import { evaluateCandidate } from '../strategies/evaluation.ts';
import type { Storage } from '../storage/storage.ts';
import { createStrategy } from '../strategies/registry.ts';
import { tensorPolicies } from '../runtime/gru-policy.ts';
import type { Candidate, Strategy } from '../strategies/strategy.ts';
import { createAccelSpace } from '../hardware/index.ts';
import { productSpace, type Joint } from '../core/space/joint.ts';
import type { SearchSpace } from '../core/space/space.ts';
import type { JsonObject, Metrics } from '../core/types.ts';
import { createSearchEvaluator, type SearchEvaluator, OBJECTIVES } from './search-eval.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' }, runs: { type: 'string', default: '3' }, budget: { type: 'string', default: '2000' },
    generations: { type: 'string', default: '500' }, population: { type: 'string', default: '100' },
    hidden: { type: 'string', default: '128x128' }, hw: { type: 'string', default: 'eyeriss' },
    sections: { type: 'string', default: '1,2,3' }, 'cost-cache': { type: 'string' },
  },
});
const rt = await initTf(values.backend);
const runs = Number(values.runs);
const budget = Number(values.budget);
const population = Number(values.population);
const generations = Number(values.generations);
const hidden = (values.hidden as string).split('x').map(Number);
const sections = new Set((values.sections as string).split(',').map(Number));

const t0 = performance.now();
const ev: SearchEvaluator = await createSearchEvaluator({ hidden, hw: values.hw as string, seed: 1, costCache: values['cost-cache'] });
console.log(`backend ${rt.backend}; predictor MLP ${hidden.join('×')}; accelerator ${values.hw}; median of ${runs} runs, one thread`);
console.log(`setup (synthetic LUT, predictor fit, accelerator cost table): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const built = `${ev.compiled.mappedLayers} distinct layers mapped in ${(ev.compiled.buildMs / 1000).toFixed(1)} s`;
console.log(`  accelerator cost table: ${ev.costCacheFile ? `loaded from ${ev.costCacheFile} (built once: ${built})` : `compiled, ${built}`} — one-off per accelerator, like the LUT`);
console.log(`constraint ${ev.constraints.map((c) => `${c.metric}${c.op}${c.limit.toFixed(3)}`).join(', ')}; objectives ${OBJECTIVES.map((o) => `${o.direction}:${o.name}`).join(', ')}`);

interface Plan {
  readonly name: string;
  readonly options: JsonObject;
  readonly budget: number;
  readonly batch: number;
  readonly joint?: boolean;
}
const plans: Plan[] = [
  { name: 'random', options: {}, budget, batch: 100 },
  { name: 'evolution', options: { population, sampleSize: 25 }, budget, batch: population },
  { name: 'nsga2', options: { population }, budget, batch: population },
  // REINFORCE updates a tfjs GRU per step and snapshots its weights and Adam state every step: far
  // slower per trial (≈ 80 ms ask/tell measured under load), so a twentieth of the budget.
  { name: 'reinforce', options: { hidden: 32 }, budget: Math.max(50, Math.round(budget / 20)), batch: 10 },
  // Every accelerator config the outer loop proposes maps its layers afresh (~10 ms each), so its
  // evaluation is the mapper's speed, not the search's: overhead only, on 3 configs.
  { name: 'nested', options: { outer: 'random', inner: 'evolution', innerOptions: { population: 20, sampleSize: 5 }, innerBudget: 100 }, budget: 300, batch: 50, joint: true },
];

const accelSpace = createAccelSpace({});
function makeStrategy(p: Plan, seed: number): Strategy<JsonObject> {
  const space: SearchSpace<JsonObject> = p.joint ? productSpace(ev.space, accelSpace) : ev.space;
  return createStrategy<JsonObject>(p.name, { space, objectives: OBJECTIVES, constraints: ev.constraints, rng: new Rng(seed).fork('strategy'), policies: tensorPolicies }, p.options);
}
const evalBatch = (p: Plan) => (cs: readonly Candidate<JsonObject>[]) => (p.joint ? ev.evaluateJoint(cs as readonly Candidate<Joint<JsonObject, JsonObject>>[]) : ev.evaluateBatch(cs));

function median(xs: number[]): number {
  return summarize(xs).median;
}

// 1. Strategy overhead: ask/tell timed, evaluation (batched, as in 2.) outside the clock.
if (sections.has(1)) console.log('\n1. strategy overhead per trial (ask + tell only)');
for (const p of sections.has(1) ? plans : []) {
  const per: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = makeStrategy(p, r);
    let ms = 0;
    for (let done = 0; done < p.budget;) {
      const a = performance.now();
      const cs = s.ask(Math.min(p.batch, p.budget - done));
      ms += performance.now() - a;
      const metrics = await evalBatch(p)(cs);
      const results = await Promise.all(cs.map((c, i) => evaluateCandidate(c, () => metrics[i] as Metrics, OBJECTIVES, ev.constraints)));
      const b = performance.now();
      s.tell(results);
      ms += performance.now() - b;
      done += cs.length;
    }
    s.dispose();
    per.push((ms * 1000) / p.budget);
  }
  console.log(`  ${p.name.padEnd(10)} ${median(per).toFixed(1).padStart(8)} µs/trial   (${p.budget} trials, batch ${p.batch})`);
}

// 2. End to end through the runner with MemoryStorage; storage calls and snapshots timed apart.
interface Timed {
  readonly ms: number;
  /** Process CPU time (user + system) over the run: what a loaded machine does not inflate. */
  readonly cpuMs: number;
  readonly evalMs: number;
  readonly storageMs: number;
  readonly snapshotMs: number;
  readonly snapshotBytes: number;
}
let dbCount = 0;
const dbDir = mkdtempSync(join(tmpdir(), 'nas-bench-search-'));
async function endToEnd(p: Plan, seed: number, backing: 'memory' | 'sqlite' = 'memory'): Promise<Timed> {
  const inner = makeStrategy(p, seed);
  let snapshotMs = 0;
  let snapshotBytes = 0;
  const strategy: Strategy<JsonObject> = {
    name: inner.name,
    ask: (n) => inner.ask(n),
    tell: (r) => inner.tell(r),
    restore: (j) => inner.restore(j),
    dispose: () => inner.dispose(),
    snapshot: () => {
      const a = performance.now();
      const j = inner.snapshot();
      snapshotMs += performance.now() - a;
      snapshotBytes = JSON.stringify(j).length;
      return j;
    },
  };
  const memory = backing === 'sqlite' ? await SqliteStorage.open(join(dbDir, `bench-${++dbCount}.db`)) : new MemoryStorage();
  let storageMs = 0;
  const timedCall = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const a = performance.now();
    try {
      return await f(...args);
    } finally {
      storageMs += performance.now() - a;
    }
  };
  const storage: Storage = Object.create(memory, {
    startTrial: { value: timedCall(memory.startTrial.bind(memory)) },
    startTrials: { value: timedCall(memory.startTrials.bind(memory)) },
    commitStep: { value: timedCall(memory.commitStep.bind(memory)) },
  });
  const id = (await storage.createExperiment({ name: `bench-${p.name}-${seed}`, config: {}, seed, space: 'mbconv', objectives: OBJECTIVES.map((o) => ({ ...o, unit: '' })) })).id;
  const before = ev.evalMs;
  const a = performance.now();
  const cpu0 = process.cpuUsage();
  await runExperiment({ sink: storage, experimentId: id, strategy, objectives: OBJECTIVES, constraints: ev.constraints, evaluate: (c) => ev.evaluateOne(c), evaluateBatch: evalBatch(p), budget: p.budget, batch: p.batch });
  const ms = performance.now() - a;
  const cpu = process.cpuUsage(cpu0);
  await memory.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, evalMs: ev.evalMs - before, storageMs, snapshotMs, snapshotBytes };
}

function medians(xs: readonly Timed[]): Timed {
  const m = (k: keyof Timed) => median(xs.map((x) => x[k]));
  return { ms: m('ms'), cpuMs: m('cpuMs'), evalMs: m('evalMs'), storageMs: m('storageMs'), snapshotMs: m('snapshotMs'), snapshotBytes: m('snapshotBytes') };
}

function line(label: string, trials: number, t: Timed): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rest = t.ms - t.evalMs - t.storageMs - t.snapshotMs;
  return `  ${label.padEnd(19)} ${(trials / (t.ms / 1000)).toFixed(0).padStart(8)} trials/s   (${s(t.ms)} for ${trials}, CPU ${s(t.cpuMs)}: evaluation ${s(t.evalMs)}, storage ${s(t.storageMs)}, snapshots ${s(t.snapshotMs)} at ${(t.snapshotBytes / 1024).toFixed(0)} KiB, strategy + runner ${s(rest)})`;
}

if (sections.has(2)) console.log('\n2. end to end, runExperiment + MemoryStorage, batched predictor-based evaluation');
for (const p of sections.has(2) ? plans : []) {
  if (p.joint) {
    console.log(`  ${p.name.padEnd(10)}      n/a   (each new accelerator config is mapped layer by layer: measures the mapper, see bench/hw.ts)`);
    continue;
  }
  const t: Timed[] = [];
  for (let r = 0; r < runs; r++) t.push(await endToEnd(p, r));
  console.log(line(p.name, p.budget, medians(t)));
}
if (sections.has(2)) {
  const p = plans[1] as Plan;
  const t: Timed[] = [];
  for (let r = 0; r < runs; r++) t.push(await endToEnd(p, r, 'sqlite'));
  console.log(line('evolution on SQLite', p.budget, medians(t)));
}

// 3. The goal case.
if (sections.has(3)) {
  const goal: Plan = { name: 'evolution', options: { population, sampleSize: 25 }, budget: population * generations, batch: population };
  console.log(`\n3. regularized evolution ${population} × ${generations}: population ${population}, ${generations} generations of ${population} children = ${goal.budget} evaluations, one generation per step`);
  const full: Timed[] = [];
  for (let r = 0; r < runs; r++) full.push(await endToEnd(goal, 100 + r));
  console.log(line('evolution', goal.budget, medians(full)));
  console.log(`  accelerator cost cache (joint candidates of section 1 only; preset candidates use the compiled table): ${JSON.stringify(ev.hwStats())}`);
}
ev.dispose();
rmSync(dbDir, { recursive: true, force: true });
