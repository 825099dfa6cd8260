/**
 * NAS-Bench-201 benchmark mode: every strategy searches the 15,625-cell table (accuracy by lookup,
 * hardware cost from an injected function) for `budget` queries per seed; reported per strategy:
 * best accuracy, regret to the table's optimum and hypervolume ratio against the exhaustive Pareto
 * front of (accuracy, latency, energy) over all cells.
 */
import { existsSync } from 'node:fs';
import { Rng } from '../core/rng.ts';
import { initTf } from '../core/tf.ts';
import { layerMacs } from '../core/types.ts';
import type { LayerSpec, Metrics } from '../core/types.ts';
import type { Nb201Arch } from '../search-space/nb201.ts';
import { Nb201Space, nb201ArchAt, nb201Index, NB201_SIZE } from '../search-space/nb201.ts';
import type { Nb201Dataset } from '../search-space/nb201-table.ts';
import { Nb201Table, defaultNb201CsvPath } from '../search-space/nb201-table.ts';
import { runInMemory } from './evaluation.ts';
import type { ObjectiveSpec } from './objectives.ts';
import { hypervolume, paretoFrontIndices } from '../core/pareto.ts';
import type { Point } from '../core/pareto.ts';
import { createStrategy } from './registry.ts';

export interface HwCost {
  readonly latency: number;
  readonly energy: number;
}

export interface Nb201BenchOptions {
  /** Registry names, or the short aliases rs, rea. */
  readonly strategies: readonly string[];
  readonly budget: number;
  readonly seeds: number;
  readonly dataset?: Nb201Dataset;
  readonly csvPath?: string;
  readonly cost?: (arch: Nb201Arch) => HwCost;
  /** Per-strategy options (by the name given in `strategies`). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface Stat {
  readonly mean: number;
  readonly std: number;
}

export interface Nb201BenchRow {
  readonly strategy: string;
  readonly bestAccuracy: Stat;
  readonly regret: Stat;
  readonly hypervolumeRatio: Stat;
  readonly msPerRun: number;
}

export type Nb201BenchResult =
  | { readonly skipped: true; readonly reason: string }
  | { readonly skipped: false; readonly optimum: number; readonly frontSize: number; readonly dataset: Nb201Dataset; readonly rows: readonly Nb201BenchRow[] };

const ALIASES: Readonly<Record<string, string>> = { rs: 'random', rea: 'evolution', rl: 'reinforce' };

/** Options that suit a 150-query budget on this space (population sizes as in Dong & Yang, ICLR 2020, scaled). */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  evolution: { population: 20, sampleSize: 5, mutationProb: 1 / 6 },
  nsga2: { population: 20, mutationProb: 1 / 6 },
  reinforce: { learningRate: 0.1, hidden: 16, baselineDecay: 0.9, resampleKnown: 20 },
};

export const OBJECTIVES: readonly ObjectiveSpec[] = [
  { name: 'accuracy', direction: 'max' },
  { name: 'latency', direction: 'min' },
  { name: 'energy', direction: 'min' },
];

function weights(l: LayerSpec): number {
  return l.kind === 'pool' ? 0 : l.m * (l.c / l.groups) * l.r * l.s;
}

/**
 * Stand-in until the accelerator model is wired: latency in MMACs; energy in µJ as 0.23 pJ per
 * 8-bit MAC plus 160 pJ per 8-bit weight fetched from DRAM (a quarter of 640 pJ per 32-bit read) —
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
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, std };
}

export async function runNb201Benchmark(opts: Nb201BenchOptions): Promise<Nb201BenchResult> {
  const csvPath = opts.csvPath ?? defaultNb201CsvPath();
  if (!existsSync(csvPath)) return { skipped: true, reason: `NAS-Bench-201 table not found at ${csvPath}` };
  const dataset = opts.dataset ?? 'cifar10';
  const table = loadTable(csvPath);
  const space = new Nb201Space();
  const costs = opts.cost ? allCosts(opts.cost) : (defaultCosts ??= allCosts(defaultNb201Cost(space)));
  // Every cell's metrics once: lookups during search, and the exhaustive front.
  const metrics: Metrics[] = costs.map((c, i) => ({ accuracy: table.accuracy(i, dataset), latency: c.latency, energy: c.energy }));
  const lo = OBJECTIVES.map((o) => Math.min(...metrics.map((m) => m[o.name] as number)));
  const hi = OBJECTIVES.map((o) => Math.max(...metrics.map((m) => m[o.name] as number)));
  // Minimisation space scaled to [0, 1] per objective (accuracy flipped), reference point 1.1.
  const norm = (m: Metrics): Point => OBJECTIVES.map((o, k) => {
    const t = ((m[o.name] as number) - (lo[k] as number)) / ((hi[k] as number) - (lo[k] as number) || 1);
    return o.direction === 'max' ? 1 - t : t;
  });
  const ref = OBJECTIVES.map(() => 1.1);
  const all = metrics.map(norm);
  const front = paretoFrontIndices(all).map((i) => all[i] as Point);
  const hvFull = hypervolume(front, ref);
  const optimum = table.best(dataset).accuracy;

  if (opts.strategies.some((s) => (ALIASES[s] ?? s) === 'reinforce')) await initTf();
  const rows: Nb201BenchRow[] = [];
  for (const given of opts.strategies) {
    const name = ALIASES[given] ?? given;
    const best: number[] = [];
    const hv: number[] = [];
    const t0 = performance.now();
    for (let seed = 0; seed < opts.seeds; seed++) {
      const strategy = createStrategy<Nb201Arch>(name, { space, objectives: OBJECTIVES, rng: new Rng(seed).fork(`nb201/${name}`) }, opts.options?.[given] ?? DEFAULTS[name] ?? {});
      const results = await runInMemory({ strategy, objectives: OBJECTIVES, budget: opts.budget, evaluate: (c) => metrics[nb201Index(c.x)] as Metrics });
      (strategy as { dispose?: () => void }).dispose?.();
      const found = results.flatMap((r) => (r.ok ? [r.metrics] : []));
      best.push(Math.max(...found.map((m) => m['accuracy'] as number)));
      const pts = found.map(norm);
      hv.push(hypervolume(paretoFrontIndices(pts).map((i) => pts[i] as Point), ref) / hvFull);
    }
    rows.push({
      strategy: given,
      bestAccuracy: stat(best),
      regret: stat(best.map((b) => optimum - b)),
      hypervolumeRatio: stat(hv),
      msPerRun: (performance.now() - t0) / opts.seeds,
    });
  }
  return { skipped: false, optimum, frontSize: front.length, dataset, rows };
}

export function formatNb201Table(r: Nb201BenchResult, budget: number, seeds: number): string {
  if (r.skipped) return `nb201 benchmark skipped: ${r.reason}`;
  const pm = (s: Stat, d: number) => `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
  const head = ['strategy', 'best acc %', 'regret %', 'HV ratio', 'ms/run'];
  const body = r.rows.map((row) => [row.strategy, pm(row.bestAccuracy, 2), pm(row.regret, 3), pm(row.hypervolumeRatio, 3), row.msPerRun.toFixed(0)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [
    `NAS-Bench-201 ${r.dataset}: optimum ${r.optimum.toFixed(2)} %, exhaustive (acc, latency, energy) front ${r.frontSize} cells; budget ${budget}, ${seeds} seeds`,
    line(head),
    ...body.map(line),
  ].join('\n');
}
