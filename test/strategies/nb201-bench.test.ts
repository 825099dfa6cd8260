import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultNb201CsvPath } from '../../search-space/nb201-table.ts';
import { formatNb201Table, runNb201Benchmark } from '../../strategies/nb201-bench.ts';

const csv = defaultNb201CsvPath();
const present = existsSync(csv);

describe('NAS-Bench-201 benchmark mode', () => {
  it('reports a skip with the reason when the table is absent', async () => {
    const r = await runNb201Benchmark({ strategies: ['rs'], budget: 5, seeds: 1, csvPath: '/nonexistent/nats_bench.csv' });
    expect(r).toEqual({ skipped: true, reason: 'NAS-Bench-201 table not found at /nonexistent/nats_bench.csv' });
    expect(formatNb201Table(r, 5, 1)).toMatch(/skipped: NAS-Bench-201 table not found/);
  });

  it.skipIf(!present)(`runs strategies side by side on the table (needs ${csv})`, async () => {
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
    expect(formatNb201Table(r, 60, 2).split('\n')).toHaveLength(5);
    // Deterministic: the same call gives the same figures.
    const again = await runNb201Benchmark({ strategies: ['rea'], budget: 60, seeds: 2 });
    if (again.skipped) throw new Error(again.reason);
    expect(again.rows[0]?.bestAccuracy).toEqual(r.rows[1]?.bestAccuracy);
  });
});
