/**
 * `nas bench nb201 --strategies rs,rea,reinforce,nsga2 --budget 150 --seeds 50 [--dataset cifar10]
 * [--hw PRESET[,PRESET…]] [--csv PATH] [--json]`: strategies side by side on the NAS-Bench-201
 * ground truth — best accuracy, regret to the optimum and its ratio to random search, hypervolume
 * ratio against the exact (accuracy, latency, energy) front. Several presets make the search joint
 * over (cell, preset), and the exact front spans every cell on every preset.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, DatasetError } from '../../core/errors.ts';
import { NB201_DATASETS, NB201_MISSING_HINT } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import type { Nb201Dataset } from '../../search-space/nb201-table.ts';
import { NB201_ALIASES, NB201_DEFAULTS, formatNb201Table, runNb201Benchmark } from '../../platform/bench/nb201-bench.ts';
import { nb201PresetHardware } from '../../platform/bench/nb201-hardware.ts';
import { strategyNames } from '../../strategies/registry.ts';
import { createProgress } from '../progress.ts';
import { intArg, printJson, withJson } from '../context.ts';

interface Opts {
  readonly strategies: string;
  readonly budget: number;
  readonly seeds: number;
  readonly dataset: string;
  readonly hw?: string;
  readonly csv?: string;
  readonly json?: boolean;
}

function parseList(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ConfigError(flag, value, 'expected a comma-separated list without empty items');
  if (new Set(items).size !== items.length) throw new ConfigError(flag, value, 'lists an item twice');
  return items;
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks against ground truth');
  withJson(
    bench.command('nb201')
      .description('search strategies side by side on NAS-Bench-201: best accuracy, regret (÷ random), hypervolume ratio vs the exact front')
      .option('--strategies <list>', `comma-separated: rs, rea, rl or registry names (${strategyNames().join(', ')})`, 'rs,rea,reinforce,nsga2')
      .option('--budget <n>', 'queries per search', intArg('--budget', 1), 150)
      .option('--seeds <n>', 'searches per strategy (seeds 0..n-1)', intArg('--seeds', 1), 50)
      .option('--dataset <name>', `accuracy column: ${NB201_DATASETS.join(' | ')}`, 'cifar10')
      .option('--hw <presets>', 'accelerator preset(s) costing each cell; several = joint (cell, preset) search (default: a MAC/weight-fetch proxy)')
      .option('--csv <file>', 'NAS-Bench-201 table (default: $NAS_NB201_CSV, else the copy `nas datasets get nb201` downloaded)'),
  ).action(async (opts: Opts) => {
    const strategies = parseList('--strategies', opts.strategies);
    const known = strategyNames();
    for (const s of strategies) {
      if (!known.includes(NB201_ALIASES[s] ?? s)) throw new ConfigError('--strategies', s, `unknown strategy; known: rs, rea, rl, ${known.join(', ')}`);
    }
    if (!(NB201_DATASETS as readonly string[]).includes(opts.dataset)) throw new ConfigError('--dataset', opts.dataset, `must be one of ${NB201_DATASETS.join(', ')}`);
    // every flag is checked before the table is looked for: a usage mistake is reported as such
    const hardware = opts.hw === undefined ? undefined : nb201PresetHardware(parseList('--hw', opts.hw));
    const csvPath = opts.csv ?? defaultNb201CsvPath();
    if (!existsSync(csvPath)) throw new DatasetError(csvPath, `${NB201_MISSING_HINT}, or pass --csv FILE`);

    const progress = createProgress({ quiet: opts.json });
    let result;
    try {
      result = await runNb201Benchmark({
        strategies, budget: opts.budget, seeds: opts.seeds, dataset: opts.dataset as Nb201Dataset, csvPath, onProgress: progress.update,
        ...(hardware ? { hardware } : {}),
      });
    } finally {
      progress.stop();
    }
    if (result.skipped) throw new DatasetError(csvPath, result.reason);
    if (opts.json) {
      const options = Object.fromEntries(strategies.map((s) => [s, NB201_DEFAULTS[NB201_ALIASES[s] ?? s] ?? {}]));
      printJson({ budget: opts.budget, seeds: opts.seeds, options, ...result });
      return;
    }
    process.stdout.write(`${formatNb201Table(result, opts.budget, opts.seeds)}\n`);
  });
}
