import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nb201PresetHardware } from '../../platform/bench/nb201-hardware.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import type { Nb201BenchResult } from '../../platform/bench/nb201-bench.ts';
import { runCli } from './run.ts';

const present = existsSync(defaultNb201CsvPath());
const needs = present ? '' : ` (skipped: needs the NAS-Bench-201 table, absent at ${defaultNb201CsvPath()}; nas datasets get nb201)`;

describe('nas bench nb201', () => {
  it.skipIf(!present)(`--json: every strategy side by side with regret, ratio to random and hypervolume ratio${needs}`, async () => {
    const r = await runCli('bench', 'nb201', '--strategies', 'rs,rea,rl,nsga2', '--budget', '30', '--seeds', '2', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Extract<Nb201BenchResult, { skipped: false }> & { budget: number; seeds: number; options: Record<string, unknown> };
    expect(doc).toMatchObject({ skipped: false, budget: 30, seeds: 2, dataset: 'cifar10', hardware: ['mac-proxy'], points: 15_625 });
    expect(doc.optimum).toBeCloseTo(94.37, 2);
    expect(doc.rows.map((x) => x.strategy)).toEqual(['rs', 'rea', 'rl', 'nsga2']);
    expect(doc.rows[0]?.regretRatio).toBe(1);
    for (const row of doc.rows) {
      expect(row.regret.mean).toBeCloseTo(doc.optimum - row.bestAccuracy.mean, 9);
      expect(row.regretRatio).toBeCloseTo(row.regret.mean / (doc.rows[0]?.regret.mean as number), 12);
      expect(row.hypervolumeRatio.mean).toBeGreaterThan(0);
      expect(row.hypervolumeRatio.mean).toBeLessThanOrEqual(1 + 1e-12);
      expect(row.frontRecall.mean).toBeGreaterThanOrEqual(0);
      expect(row.frontRecall.mean).toBeLessThanOrEqual(1);
    }
    expect(doc.options['rl']).toMatchObject({ policy: 'factorised' });
  });

  it.skipIf(!present)(`text: one table, same figures as --json for the same seeds${needs}`, async () => {
    const text = await runCli('bench', 'nb201', '--strategies', 'rs,rea', '--budget', '20', '--seeds', '2', '--dataset', 'cifar100');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAS-Bench-201 cifar100: optimum \d+\.\d\d %; hw mac-proxy; exact .* front \d+ of 15625 points; budget 20, 2 seeds$/);
    expect(lines[1]).toMatch(/^strategy +best acc % +regret % +÷ random +HV ratio +front found +ms\/run$/);
    const json = JSON.parse((await runCli('bench', 'nb201', '--strategies', 'rs,rea', '--budget', '20', '--seeds', '2', '--dataset', 'cifar100', '--json')).stdout) as Extract<Nb201BenchResult, { skipped: false }>;
    const rea = json.rows[1];
    expect(lines[3]).toContain(`${rea?.bestAccuracy.mean.toFixed(2)} ± ${rea?.bestAccuracy.std.toFixed(2)}`);
    expect(lines[3]).toContain(rea?.regretRatio?.toFixed(3));
  });

  it('a missing table is a dataset error (exit 6) naming the path', async () => {
    const r = await runCli('bench', 'nb201', '--csv', '/nonexistent/nb201/nats_bench.csv', '--seeds', '1', '--budget', '5');
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('nas: /nonexistent/nb201/nats_bench.csv: NAS-Bench-201 table not found; download it with `nas datasets get nb201` (or give its path: NAS_NB201_CSV=FILE), or pass --csv FILE\n');
  });

  it('bad flags are config errors (exit 3) naming flag and value', async () => {
    const cases: [string[], RegExp][] = [
      [['--strategies', 'rs,foo'], /--strategies: unknown strategy; known: rs, rea, rl, .* \(got "foo"\)/],
      [['--strategies', 'rs,,rea'], /--strategies: expected a comma-separated list/],
      [['--dataset', 'cifar1000'], /--dataset: must be one of cifar10, cifar100, imagenet16-120 \(got "cifar1000"\)/],
      [['--hw', 'eyeriss,gpu'], /--hw: unknown preset; known: .*eyeriss.* \(got "gpu"\)/],
      [['--budget', '0'], /--budget: must be an integer >= 1 \(got "0"\)/],
      [['--seeds', 'x'], /--seeds: must be an integer >= 1 \(got "x"\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('bench', 'nb201', ...args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(message);
    }
  });

  it('preset hardware costs a cell with the accelerator model: more convolutions cost more', () => {
    const [hw] = nb201PresetHardware(['simple-ws']);
    const cheap = hw?.cost({ ops: ['none', 'skip_connect', 'none', 'skip_connect', 'none', 'avg_pool_3x3'] });
    const dear = hw?.cost({ ops: ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3'] });
    expect(hw?.name).toBe('simple-ws');
    expect(cheap?.latency).toBeGreaterThan(0);
    expect(dear?.latency).toBeGreaterThan(cheap?.latency as number);
    expect(dear?.energy).toBeGreaterThan(cheap?.energy as number);
  });
});
