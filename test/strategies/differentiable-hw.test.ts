import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initTf } from '../../runtime/tf.ts';
import { CostModel, createAccelSpace } from '../../hardware/index.ts';
import { sampleAccelPool } from '../../estimators/relaxed-mbconv.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { Differentiable, differentiableOptions } from '../../strategies/differentiable.ts';
import { productSpace, type Joint } from '../../core/space/joint.ts';
import type { AccelConfig } from '../../hardware/index.ts';
import { relaxedFixture } from './fixture-relaxed.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

await initTf('wasm');
const BUDGET = 4;
/** Few bit and resolution choices: every distinct layer is mapped once per accelerator of the pool. */
const space = new MbconvSpace({
  resolutions: [16], depths: [1, 2], widths: [0.5, 1], kernels: [3], expands: [2, 3], weightBits: [8], activationBits: [4, 8],
  stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16,
});
const accel = createAccelSpace({ areaBudgetMm2: BUDGET });
const joint = productSpace(space, accel);
const pool = sampleAccelPool(new Rng('pool'), 3, BUDGET);
const fx = relaxedFixture({ space, pool, model: new CostModel(), metrics: ['energy_uj', 'area_mm2'] });
afterAll(() => fx.dispose());

describe('differentiable co-search over an accelerator pool', () => {
  it('has one more decision, whose choice decodes to a valid joint (arch, hw) value', () => {
    expect(pool).toHaveLength(3);
    expect(fx.problem.arity[fx.problem.arity.length - 1]).toBe(3);
    const choices = fx.problem.arity.map((a) => a - 1);
    const x = fx.problem.decode(choices) as Joint<MbconvArch, AccelConfig>;
    expect(joint.key(joint.validate(x))).toContain(accel.key(pool[2]!));
    expect(fx.problem.cost('area_mm2', choices)).toBeCloseTo(accel.area(pool[2]!), 9);
  });

  it('an energy penalty moves the accelerator logits to the pool member that is cheapest for the derived network', () => {
    const s = new Differentiable<Joint<MbconvArch, AccelConfig>>(
      { space: joint, objectives: [{ name: 'energy_uj', direction: 'min' }], rng: new Rng(3), relaxed: fx.problem as never },
      differentiableOptions.parse({ stepsPerAsk: 10, batchSize: 8, learningRate: 0.2, loss: 'add#linear', lambda: 10, costs: { energy_uj: 0.01 } }),
    );
    const [first] = s.ask(2);
    expect(joint.validate(first!.x)).toBeTruthy();
    const d = s.derived();
    const hw = d.length - 1;
    const perHw = pool.map((_, h) => fx.problem.cost('energy_uj', d.map((c, i) => (i === hw ? h : c))));
    expect(d[hw]).toBe(perHw.indexOf(Math.min(...perHw)));
    expect(s.probabilities()[hw]![d[hw]!]).toBeGreaterThan(0.5);
  });
});
