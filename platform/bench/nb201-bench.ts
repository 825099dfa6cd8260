/**
 * NAS-Bench-201 benchmark mode: every strategy searches the 15,625-cell table (accuracy by lookup,
 * hardware cost from injected functions) for `budget` queries per seed; reported per strategy:
 * best accuracy, regret to the table's optimum, its ratio to random search's, and the hypervolume
 * ratio against the exhaustive Pareto front of (accuracy, latency, energy). With several hardware
 * configs the strategies search (cell, config) pairs jointly and the exact front spans all of them.
 * Searches are rewarded with the same accuracy column the regret is measured on (the table's).
 */
import { existsSync } from 'node:fs';
import { Rng } from '../../core/rng.ts';
import { summarize } from '../../core/stats.ts';
import { initTf } from '../../runtime/tf.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { layerMacs } from '../../core/types.ts';
import type { JsonObject, LayerSpec, Metrics } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { Nb201Space, nb201ArchAt, nb201Index, NB201_SIZE } from '../../search-space/nb201.ts';
import type { Nb201Dataset } from '../../search-space/nb201-table.ts';
import { Nb201Table } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import { ChoiceSpace } from '../../core/space/choice-space.ts';
import type { Choice } from '../../core/space/choice-space.ts';
import { runInMemory } from '../../strategies/evaluation.ts';
import type { Joint } from '../../core/space/joint.ts';
import { ProductSpace } from '../../core/space/joint.ts';
import { NB201_OBJECTIVES, Nb201Universe } from './nb201-front.ts';
import type { HwCost } from './nb201-front.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { nb201SurrogateBatch, nb201SurrogatePort } from './nb201-surrogate.ts';
import { tensorPolicies } from '../../runtime/gru-policy.ts';

export type { HwCost };
export const OBJECTIVES = NB201_OBJECTIVES;

/** One hardware config of the run: a name and the cost of a cell on it. */
export interface Nb201Hardware {
  readonly name: string;
  readonly cost: (arch: Nb201Arch) => HwCost;
}

export interface Nb201BenchOptions {
  /** Registry names, or the short aliases rs, rea, rl. */
  readonly strategies: readonly string[];
  readonly budget: number;
  readonly seeds: number;
  readonly dataset?: Nb201Dataset;
  readonly csvPath?: string;
  /** A single hardware config's cost (kept for callers that have one function). */
  readonly cost?: (arch: Nb201Arch) => HwCost;
  /** The hardware configs of the run; more than one makes the search joint over (cell, config). */
  readonly hardware?: readonly Nb201Hardware[];
  /** Per-strategy options (by the name given in `strategies`). */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly onProgress?: ProgressFn;
}

export interface Stat {
  readonly mean: number;
  readonly std: number;
}

export interface Nb201BenchRow {
  readonly strategy: string;
  readonly bestAccuracy: Stat;
  readonly regret: Stat;
  /** Mean regret over random search's in the same run (null when random search was not run). */
  readonly regretRatio: number | null;
  readonly hypervolumeRatio: Stat;
  /** Share of the exact front's distinct points found. */
  readonly frontRecall: Stat;
  readonly msPerRun: number;
}

export type Nb201BenchResult =
  | { readonly skipped: true; readonly reason: string }
  | {
    readonly skipped: false;
    readonly optimum: number;
    readonly frontSize: number;
    /** Points the exact front was computed over: cells × hardware configs. */
    readonly points: number;
    readonly hardware: readonly string[];
    readonly dataset: Nb201Dataset;
    readonly rows: readonly Nb201BenchRow[];
  };

export const NB201_ALIASES: Readonly<Record<string, string>> = { rs: 'random', rea: 'evolution', rl: 'reinforce' };

/**
 * Options that suit a 150-query budget on this space. Evolution and NSGA-II: population sizes as
 * in Dong & Yang, ICLR 2020, scaled. REINFORCE: their factorised policy with Adam at lr 0.1 and
 * std-scaled advantages (measured in the README / report, 50 seeds).
 */
export const NB201_DEFAULTS: Readonly<Record<string, unknown>> = {
  evolution: { population: 20, sampleSize: 5, mutationProb: 1 / 6 },
  nsga2: { population: 20, mutationProb: 1 / 6 },
  reinforce: { policy: 'factorised', learningRate: 0.1, rewardScale: 'std', baselineDecay: 0.9, resampleKnown: 20 },
};

function weights(l: LayerSpec): number {
  return l.kind === 'pool' ? 0 : l.m * (l.c / l.groups) * l.r * l.s;
}

/**
 * Stand-in when no accelerator is named: latency in MMACs; energy in µJ as 0.23 pJ per 8-bit MAC
 * plus 160 pJ per 8-bit weight fetched from DRAM (a quarter of 640 pJ per 32-bit read) —
 * Horowitz, "Computing's energy problem", ISSCC 2014.
 */
export function defaultNb201Cost(space: Nb201Space): (arch: Nb201Arch) => HwCost {
  return (arch) => {
    const layers = space.layers(arch);
    const macs = layers.reduce((s, l) => s + layerMacs(l), 0);
    const params = layers.reduce((s, l) => s + weights(l), 0);
    return { latency: macs / 1e6, energy: (0.23 * macs + 160 * params) / 1e6 };
  };
}

// The table and the default costs are immutable: loaded once per process (tests and benches call repeatedly).
const tables = new Map<string, Nb201Table>();
let defaultCosts: HwCost[] | undefined;

function loadTable(path: string): Nb201Table {
  let t = tables.get(path);
  if (!t) tables.set(path, (t = Nb201Table.load(path)));
  return t;
}

function allCosts(cost: (arch: Nb201Arch) => HwCost): HwCost[] {
  return Array.from({ length: NB201_SIZE }, (_, i) => cost(nb201ArchAt(i)));
}

function stat(xs: readonly number[]): Stat {
  const { mean, std } = summarize(xs);
  return { mean, std };
}

export async function runNb201Benchmark(opts: Nb201BenchOptions): Promise<Nb201BenchResult> {
  const csvPath = opts.csvPath ?? defaultNb201CsvPath();
  if (!existsSync(csvPath)) return { skipped: true, reason: `NAS-Bench-201 table not found at ${csvPath}` };
  const dataset = opts.dataset ?? 'cifar10';
  const progress = opts.onProgress ?? (() => {});
  const table = loadTable(csvPath);
  const cells = new Nb201Space();
  const hardware = opts.hardware ?? (opts.cost ? [{ name: 'custom', cost: opts.cost }] : []);
  const names = hardware.length > 0 ? hardware.map((h) => h.name) : ['mac-proxy'];
  const costs = hardware.length > 0
    ? hardware.map((h, k) => {
      progress({ phase: 'costing cells', done: k, total: hardware.length, fields: { hw: h.name } });
      return allCosts(h.cost);
    })
    : [(defaultCosts ??= allCosts(defaultNb201Cost(cells)))];
  progress({ phase: 'costing cells', done: costs.length, total: costs.length });
  const accuracy = Array.from({ length: NB201_SIZE }, (_, i) => table.accuracy(i, dataset));
  const universe = new Nb201Universe(accuracy, costs);
  const K = universe.configs;
  // One config: the plain cell space (as before joint mode existed); several: (cell, config) pairs.
  const hwSpace = new ChoiceSpace('hw', names);
  const space: SearchSpace<JsonObject> = K === 1 ? cells : new ProductSpace(cells, hwSpace);
  const pointOf = K === 1
    ? (x: JsonObject) => nb201Index(x as Nb201Arch)
    : (x: JsonObject) => nb201Index((x as Joint<Nb201Arch, Choice>).arch) * K + hwSpace.indexOf((x as Joint<Nb201Arch, Choice>).hw);
  const optimum = table.best(dataset).accuracy;

  const optionsOf = (given: string): unknown => opts.options?.[given] ?? NB201_DEFAULTS[NB201_ALIASES[given] ?? given] ?? {};
  // Only REINFORCE's GRU policy (its default) runs on tfjs.
  const gru = (given: string) => (NB201_ALIASES[given] ?? given) === 'reinforce' && (optionsOf(given) as { policy?: string }).policy !== 'factorised';
  if (opts.strategies.some(gru)) await initTf();
  const total = opts.strategies.length * opts.seeds;
  let port: ReturnType<typeof nb201SurrogatePort> | undefined;
  const rows: Omit<Nb201BenchRow, 'regretRatio'>[] = [];
  for (const given of opts.strategies) {
    const name = NB201_ALIASES[given] ?? given;
    const best: number[] = [];
    const hv: number[] = [];
    const recall: number[] = [];
    const t0 = performance.now();
    for (let seed = 0; seed < opts.seeds; seed++) {
      progress({ phase: 'searching', done: rows.length * opts.seeds + seed, total, fields: { strategy: given, seed } });
      const surrogate = name === 'surrogate' ? (port ??= nb201SurrogatePort(universe, K === 1 ? null : hwSpace)) : undefined;
      const strategy = createStrategy(name, { space, objectives: OBJECTIVES, rng: new Rng(seed).fork(`nb201/${name}`), policies: tensorPolicies, ...(surrogate ? { surrogate } : {}) }, optionsOf(given));
      try {
        // The surrogate verifies a round's batch at once; the other strategies keep one query per step.
        const batch = surrogate ? nb201SurrogateBatch(opts.budget) : 1;
        const results = await runInMemory({ strategy, objectives: OBJECTIVES, budget: opts.budget, batch, evaluate: (c) => universe.metrics[pointOf(c.x)] as Metrics });
        const found = results.flatMap((r) => (r.ok ? [r.metrics] : []));
        best.push(Math.max(...found.map((m) => m['accuracy'] as number)));
        hv.push(universe.hypervolumeRatio(found));
        recall.push(universe.frontRecall(results.flatMap((r) => (r.ok ? [pointOf(r.candidate.x)] : []))));
      } finally {
        strategy.dispose();
      }
    }
    rows.push({ strategy: given, bestAccuracy: stat(best), regret: stat(best.map((b) => optimum - b)), hypervolumeRatio: stat(hv), frontRecall: stat(recall), msPerRun: (performance.now() - t0) / opts.seeds });
  }
  progress({ phase: 'searching', done: total, total });
  const random = rows.find((r) => (NB201_ALIASES[r.strategy] ?? r.strategy) === 'random');
  return {
    skipped: false, optimum, frontSize: universe.front.length, points: universe.metrics.length, hardware: names, dataset,
    rows: rows.map((r) => ({ ...r, regretRatio: random && random.regret.mean > 0 ? r.regret.mean / random.regret.mean : null })),
  };
}

export function formatNb201Table(r: Nb201BenchResult, budget: number, seeds: number): string {
  if (r.skipped) return `nb201 benchmark skipped: ${r.reason}`;
  const pm = (s: Stat, d: number) => `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
  const head = ['strategy', 'best acc %', 'regret %', '÷ random', 'HV ratio', 'front found', 'ms/run'];
  const body = r.rows.map((row) => [
    row.strategy, pm(row.bestAccuracy, 2), pm(row.regret, 3), row.regretRatio === null ? '-' : row.regretRatio.toFixed(3), pm(row.hypervolumeRatio, 3), pm(row.frontRecall, 2), row.msPerRun.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const hw = r.hardware.length === 1 ? `hw ${r.hardware[0]}` : `joint over hw ${r.hardware.join(', ')}`;
  return [
    `NAS-Bench-201 ${r.dataset}: optimum ${r.optimum.toFixed(2)} %; ${hw}; exact (acc, latency, energy) front ${r.frontSize} of ${r.points} points; budget ${budget}, ${seeds} seeds`,
    line(head),
    ...body.map(line),
  ].join('\n');
}
