import { describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { Reinforce, reinforceOptions } from '../../strategies/reinforce.ts';
import type { EvalResult } from '../../strategies/strategy.ts';
import { toMinimize } from '../../strategies/objectives.ts';
import { strategyConformance } from '../conformance/strategy.case.ts';
import { ACC_LAT, evaluate, metricsOf, rngFor, space } from './fixture.ts';
import { tensorPolicies } from '../../runtime/gru-policy.ts';

await initTf();

strategyConformance<Nb201Arch>({
  name: 'reinforce',
  space,
  objectives: ACC_LAT,
  rng: rngFor,
  evaluate,
  constraint: { metric: 'latency', op: '<=', limit: 30 },
  make: (rng, constraints) => createStrategy('reinforce', { space, objectives: ACC_LAT, constraints, rng, policies: tensorPolicies }, { learningRate: 0.05, constraintPenalty: 5, resampleKnown: 2, hidden: 16 }),
  steps: 20,
  batch: 4,
  learnsConstraints: true,
});

describe('reinforce specifics', () => {
  it('reads the nb201 decision structure the space declares and decodes choices', () => {
    expect(space.decisions()).toEqual([5, 5, 5, 5, 5, 5]);
    const x = space.fromChoices([0, 1, 2, 3, 4, 0]);
    expect(x.ops).toEqual(['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3', 'none']);
  });

  it('learns: mean reward of late samples beats early ones, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const s = new Reinforce<Nb201Arch>({ space, objectives: ACC_LAT, rng: rngFor(11), policies: tensorPolicies }, reinforceOptions.parse({ hidden: 16, learningRate: 0.05, baselineDecay: 0.8, resampleKnown: 0 }));
    const rewards: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res: EvalResult<Nb201Arch>[] = s.ask(4).map((c) => {
        const m = metricsOf(c.x);
        rewards.push(m['accuracy'] as number);
        return { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: 0 };
      });
      s.tell(res);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(rewards.slice(-40))).toBeGreaterThan(mean(rewards.slice(0, 40)) + 3);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mnas reward needs targets; unknown options are named', () => {
    expect(() => createStrategy('reinforce', { space, objectives: ACC_LAT, rng: rngFor(1), policies: tensorPolicies }, { reward: 'mnas' })).toThrow(/targets/);
    expect(() => createStrategy('reinforce', { space, objectives: ACC_LAT, rng: rngFor(1), policies: tensorPolicies }, { hiden: 3 })).toThrow(/reinforce\.options/);
    // the GRU needs tensors: without injected policies the strategy says so instead of importing tfjs
    expect(() => createStrategy('reinforce', { space, objectives: ACC_LAT, rng: rngFor(1) }, {})).toThrow(/reinforce\.options\.policy/);
  });

  it('resampleKnown spends fewer queries on repeated architectures', () => {
    const uniqueKeys = (resampleKnown: number) => {
      const s = new Reinforce<Nb201Arch>({ space, objectives: ACC_LAT, rng: rngFor(12), policies: tensorPolicies }, reinforceOptions.parse({ hidden: 8, learningRate: 0.2, resampleKnown }));
      const keys: string[] = [];
      for (let i = 0; i < 12; i++) {
        const cs = s.ask(4);
        keys.push(...cs.map((c) => c.key));
        s.tell(cs.map((c) => {
          const m = metricsOf(c.x);
          return { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: 0 };
        }));
      }
      s.dispose();
      return new Set(keys).size;
    };
    expect(uniqueKeys(5)).toBeGreaterThan(uniqueKeys(0));
  });

  it('mnas and pareto rewards steer towards cheaper cells than the accuracy-only reward', () => {
    const run = (options: object) => {
      const s = new Reinforce<Nb201Arch>({ space, objectives: ACC_LAT, rng: rngFor(13), policies: tensorPolicies }, reinforceOptions.parse({ hidden: 16, learningRate: 0.05, resampleKnown: 0, ...options }));
      const lat: number[] = [];
      for (let i = 0; i < 20; i++) {
        const cs = s.ask(4);
        s.tell(cs.map((c) => {
          const m = metricsOf(c.x);
          lat.push(m['latency'] as number);
          return { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: 0 };
        }));
      }
      s.dispose();
      return lat.slice(-30).reduce((a, b) => a + b, 0) / 30;
    };
    const plain = run({});
    expect(run({ reward: 'mnas', targets: { latency: 10 }, alpha: -0.5, beta: -0.5 })).toBeLessThan(plain);
    expect(run({ reward: 'pareto' })).toBeLessThan(plain);
  });
});
