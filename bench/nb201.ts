/**
 * NAS-Bench-201 benchmark: each strategy side by side on the 15,625-cell table.
 *   npx tsx bench/nb201.ts [--strategies rs,rea,reinforce,nsga2] [--budget 150] [--seeds 10] [--dataset cifar10] [--csv PATH]
 *                          [--hw PRESET] [--json]
 * --hw costs every cell on the NAS-Bench-201 macro skeleton with our accelerator model (latency in ms,
 * energy in µJ, mapped per layer); without it a MAC/weight-fetch stand-in is used.
 */
import { formatNb201Table, runNb201Benchmark } from '../strategies/nb201-bench.ts';
import type { Nb201Dataset } from '../search-space/nb201-table.ts';
import { Nb201Space } from '../search-space/nb201.ts';
import { CostModel } from '../hardware/index.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const strategies = arg('strategies', 'rs,rea,reinforce,nsga2').split(',');
const budget = Number(arg('budget', '150'));
const seeds = Number(arg('seeds', '10'));
const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
const csv = process.argv.includes('--csv') ? arg('csv', '') : undefined;

const hw = process.argv.includes('--hw') ? arg('hw', 'eyeriss') : undefined;
const space = new Nb201Space();
const model = new CostModel();
const cost = hw
  ? (arch: Parameters<Nb201Space['layers']>[0]) => {
      const r = model.evaluate(space.layers(arch), hw);
      return { latency: r.latencyMs, energy: r.energyPj / 1e6 };
    }
  : undefined;
const t0 = performance.now();
const result = await runNb201Benchmark({ strategies, budget, seeds, dataset, ...(csv ? { csvPath: csv } : {}), ...(cost ? { cost } : {}) });
if (hw) console.error(`hardware cost: preset ${hw}, ${model.cacheStats().misses} distinct layers mapped, ${((performance.now() - t0) / 1000).toFixed(1)} s total`);
console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : formatNb201Table(result, budget, seeds));
