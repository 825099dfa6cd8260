/**
 * NAS-Bench-201 benchmark: each strategy side by side on the 15,625-cell table.
 *   npx tsx bench/nb201.ts [--strategies rs,rea,reinforce,nsga2] [--budget 150] [--seeds 10] [--dataset cifar10] [--csv PATH] [--json]
 */
import { formatNb201Table, runNb201Benchmark } from '../strategies/nb201-bench.ts';
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

const result = await runNb201Benchmark({ strategies, budget, seeds, dataset, ...(csv ? { csvPath: csv } : {}) });
console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : formatNb201Table(result, budget, seeds));
