/** Accelerator search space: SearchSpace contract, area budget, and costing sampled configs. */
import { describe, expect, it } from 'vitest';
import { InvalidArchError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import { searchSpaceConformance } from '../conformance/search-space.case.ts';
import { CostModel } from '../../hardware/cost-model.ts';
import { ACCEL_CHOICES, accelArch, createAccelSpace, type AccelConfig } from '../../hardware/space/accel-space.ts';

const TOTAL = Object.values(ACCEL_CHOICES).reduce((n, c) => n * c.length, 1);
const OK: AccelConfig = { peRows: 8, peCols: 8, rfWords: 64, glbKiB: 128, dramGBps: 32, dataflow: 'ws', precision: 'int8' };

searchSpaceConformance('accel', () => createAccelSpace(), {
  size: BigInt(TOTAL),
  samples: 20,
  bad: [
    { label: 'a non-object', value: 'x', field: 'accel' },
    { label: 'an unlisted PE row count', value: { ...OK, peRows: 5 }, field: 'peRows' },
    { label: 'an unknown dataflow', value: { ...OK, dataflow: 'xs' }, field: 'dataflow' },
    { label: 'an extra field', value: { ...OK, clock: 2 }, field: 'clock' },
  ],
});

describe('accelerator search space', () => {
  const space: SearchSpace<AccelConfig> = createAccelSpace();
  it('has the full product size without a budget and fewer with one', () => {
    expect(space.size()).toBe(BigInt(TOTAL));
    const tight = createAccelSpace({ areaBudgetMm2: 2 });
    const n = tight.size();
    expect(n).toBeGreaterThan(0n);
    expect(n).toBeLessThan(BigInt(TOTAL));
    for (const c of tight.enumerate()) expect(tight.area(c)).toBeLessThanOrEqual(2);
  });

  it('samples, mutates and crosses over within the budget, deterministically', () => {
    const s = createAccelSpace({ areaBudgetMm2: 3 });
    const run = (seed: number): string[] => {
      const rng = new Rng(seed);
      const out: string[] = [];
      let a = s.sample(rng);
      for (let i = 0; i < 50; i++) {
        const b = s.mutate(a, rng, 0.2);
        expect(s.key(b)).not.toBe(s.key(a));
        const c = s.crossover(a, b, rng);
        for (const x of [a, b, c]) expect(s.area(x)).toBeLessThanOrEqual(3);
        out.push(s.key(c));
        a = b;
      }
      return out;
    };
    expect(run(5)).toEqual(run(5));
  });

  it('round-trips encode/decode and names bad fields', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 20; i++) {
      const x = space.sample(rng);
      const v = space.encode(x);
      expect(v.length).toBe(space.encodingLength);
      expect(space.key(space.decode(v))).toBe(space.key(x));
    }
    const x = space.sample(rng);
    expect(() => space.validate({ ...x, peRows: 5 })).toThrow(InvalidArchError);
    expect(() => space.validate({ ...x, peRows: 5 })).toThrow(/peRows/);
    expect(() => space.decode(new Array<number>(space.encodingLength).fill(0))).toThrow(/encoding\[0\]/);
    expect(() => createAccelSpace({ areaBudgetMm2: 0.01 }).validate({ ...x, peRows: 32, peCols: 32, glbKiB: 512 })).toThrow(/areaMm2/);
  });

  it('larger arrays cost more area and run a conv layer in fewer cycles', () => {
    const base: AccelConfig = { peRows: 8, peCols: 8, rfWords: 64, glbKiB: 128, dramGBps: 32, dataflow: 'ws', precision: 'int8' };
    const big: AccelConfig = { ...base, peRows: 16, peCols: 16 };
    expect(createAccelSpace().area(big)).toBeGreaterThan(createAccelSpace().area(base));
    const layer = { name: 'c', kind: 'conv' as const, n: 1, c: 64, m: 64, h: 28, w: 28, p: 28, q: 28, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 } };
    const cm = new CostModel({ seed: 1 });
    const small = cm.evaluate([layer], accelArch(base));
    const large = cm.evaluate([layer], accelArch(big));
    expect(large.latencyCycles).toBeLessThan(small.latencyCycles);
    for (const df of ['os', 'rs'] as const) expect(cm.evaluate([layer], accelArch({ ...base, dataflow: df })).latencyCycles).toBeGreaterThan(0);
  });
});
