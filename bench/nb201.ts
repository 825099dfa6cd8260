/**
 * NAS-Bench-201 benchmark: each strategy side by side on the 15,625-cell table (the library call
 * behind `nas bench nb201`, with a knob for per-strategy options).
 *   npx tsx bench/nb201.ts [--strategies rs,rea,reinforce,nsga2] [--budget 150] [--seeds 10] [--dataset cifar10] [--csv PATH]
 *                          [--hw PRESET[,PRESET…]] [--options '{"reinforce":{"policy":"gru","hidden":16}}'] [--json]
 * --hw costs every cell on the NAS-Bench-201 macro skeleton with our accelerator model (latency in ms,
 * energy in µJ, mapped per layer); several presets make the search joint over (cell, preset). Without
 * it a MAC/weight-fetch stand-in is used. --options replaces the benchmark's defaults per strategy.
 */
import { CostModel } from '../hardware/index.ts';
import { nb201PresetHardware } from '../platform/bench/nb201-hardware.ts';
import { formatNb201Table, runNb201Benchmark } from '../platform/bench/nb201-bench.ts';
import type { Nb201Dataset } from '../search-space/nb201-table.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const strategies = arg('strategies', 'rs,rea,reinforce,nsga2').split(',');
const budget = Number(arg('budget', '150'));
const seeds = Number(arg('seeds', '10'));
const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
const csv = process.argv.includes('--csv') ? arg('csv', '') : undefined;
const options = process.argv.includes('--options') ? (JSON.parse(arg('options', '{}')) as Record<string, unknown>) : undefined;

const model = new CostModel();
const hardware = process.argv.includes('--hw') ? nb201PresetHardware(arg('hw', 'eyeriss').split(','), model) : undefined;
const t0 = performance.now();
const result = await runNb201Benchmark({ strategies, budget, seeds, dataset, ...(csv ? { csvPath: csv } : {}), ...(hardware ? { hardware } : {}), ...(options ? { options } : {}) });
if (hardware) console.error(`hardware cost: ${hardware.map((h) => h.name).join(', ')}, ${model.cacheStats().misses} distinct layers mapped, ${((performance.now() - t0) / 1000).toFixed(1)} s total`);
console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : formatNb201Table(result, budget, seeds));
