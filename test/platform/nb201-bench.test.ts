import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { formatNb201Table, runNb201Benchmark } from '../../platform/bench/nb201-bench.ts';
import type { Nb201Hardware } from '../../platform/bench/nb201-bench.ts';
import type { ProgressUpdate } from '../../core/progress.ts';
import { NEEDS_NB201 } from '../reference-data.ts';

const csv = defaultNb201CsvPath();
const present = existsSync(csv);

describe('NAS-Bench-201 benchmark mode', () => {
  it('reports a skip with the reason when the table is absent', async () => {
    const r = await runNb201Benchmark({ strategies: ['rs'], budget: 5, seeds: 1, csvPath: '/nonexistent/nats_bench.csv' });
    expect(r).toEqual({ skipped: true, reason: 'NAS-Bench-201 table not found at /nonexistent/nats_bench.csv' });
    expect(formatNb201Table(r, 5, 1)).toMatch(/skipped: NAS-Bench-201 table not found/);
  });

  it.skipIf(!present)(`runs the surrogate with the table as its supernet, deterministically${NEEDS_NB201}`, async () => {
    const options = { surrogate: { initial: 10, population: 40, generations: 10 } };
    const r = await runNb201Benchmark({ strategies: ['rs', 'surrogate'], budget: 40, seeds: 2, options });
    if (r.skipped) throw new Error(r.reason);
    const [rs, sg] = r.rows;
    expect(sg?.strategy).toBe('surrogate');
    // 10 initial cells (largest, smallest, maximin) then 3 rounds of 10, fitted on the queried cells only
    expect(sg?.bestAccuracy.mean).toBeGreaterThan(90);
    expect(sg?.hypervolumeRatio.mean).toBeGreaterThan(0.5);
    expect(rs?.strategy).toBe('rs');
    const again = await runNb201Benchmark({ strategies: ['surrogate'], budget: 40, seeds: 2, options });
    if (again.skipped) throw new Error(again.reason);
    expect(again.rows[0]?.bestAccuracy).toEqual(sg?.bestAccuracy);
    expect(again.rows[0]?.hypervolumeRatio).toEqual(sg?.hypervolumeRatio);
  }, 300_000);

  it.skipIf(!present)(`runs strategies side by side on the table${NEEDS_NB201}`, async () => {
    const r = await runNb201Benchmark({ strategies: ['rs', 'rea', 'nsga2'], budget: 60, seeds: 2 });
    if (r.skipped) throw new Error(r.reason);
    expect(r.optimum).toBeCloseTo(94.37, 2);
    expect(r.frontSize).toBeGreaterThan(1);
    expect(r.rows.map((x) => x.strategy)).toEqual(['rs', 'rea', 'nsga2']);
    for (const row of r.rows) {
      expect(row.regret.mean).toBeCloseTo(r.optimum - row.bestAccuracy.mean, 9);
      expect(row.regret.mean).toBeGreaterThanOrEqual(0);
      expect(row.hypervolumeRatio.mean).toBeGreaterThan(0);
      expect(row.hypervolumeRatio.mean).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(r.hardware).toEqual(['mac-proxy']);
    expect(r.points).toBe(15_625);
    expect(r.rows[0]?.regretRatio).toBe(1);
    expect(r.rows[1]?.regretRatio).toBeCloseTo((r.rows[1]?.regret.mean as number) / (r.rows[0]?.regret.mean as number), 12);
    expect(formatNb201Table(r, 60, 2).split('\n')).toHaveLength(5);
    // Deterministic: the same call gives the same figures.
    const again = await runNb201Benchmark({ strategies: ['rea'], budget: 60, seeds: 2 });
    if (again.skipped) throw new Error(again.reason);
    expect(again.rows[0]?.bestAccuracy).toEqual(r.rows[1]?.bestAccuracy);
  });

  // Cheap synthetic accelerators: cost from op counts; 'slow' costs twice 'fast' everywhere, so it never reaches the front.
  const opCost = (a: Nb201Arch) => a.ops.reduce((t, o) => t + ({ none: 0, skip_connect: 0.1, avg_pool_3x3: 0.5, nor_conv_1x1: 1, nor_conv_3x3: 3 } as Record<string, number>)[o]!, 0.2);
  const fast: Nb201Hardware = { name: 'fast', cost: (a) => ({ latency: opCost(a), energy: 1 + opCost(a) ** 1.5 }) };
  const slow: Nb201Hardware = { name: 'slow', cost: (a) => ({ latency: 2 * opCost(a), energy: 2 * (1 + opCost(a) ** 1.5) }) };

  it.skipIf(!present)(`several hardware configs: joint (cell, config) search against the front over all pairs${NEEDS_NB201}`, async () => {
    const updates: ProgressUpdate[] = [];
    const joint = await runNb201Benchmark({ strategies: ['rs', 'nsga2', 'reinforce'], budget: 80, seeds: 2, hardware: [fast, slow], onProgress: (u) => updates.push(u) });
    const alone = await runNb201Benchmark({ strategies: ['nsga2'], budget: 80, seeds: 1, hardware: [fast] });
    if (joint.skipped || alone.skipped) throw new Error('table vanished');
    expect(joint.hardware).toEqual(['fast', 'slow']);
    expect(joint.points).toBe(2 * 15_625);
    // 'slow' is dominated everywhere: the exact front over pairs is the front of 'fast' alone.
    expect(joint.frontSize).toBe(alone.frontSize);
    for (const row of joint.rows) {
      expect(row.hypervolumeRatio.mean).toBeGreaterThan(0);
      expect(row.hypervolumeRatio.mean).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(formatNb201Table(joint, 80, 2)).toMatch(/joint over hw fast, slow/);
    expect(updates.at(-1)).toEqual({ phase: 'searching', done: 6, total: 6 });
    expect(updates.filter((u) => u.phase === 'searching')).toHaveLength(7);
  });
});
