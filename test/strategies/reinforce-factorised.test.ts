import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { FactorisedPolicy } from '../../strategies/factorised-policy.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { Reinforce, reinforceOptions } from '../../strategies/reinforce.ts';
import type { EvalResult } from '../../strategies/strategy.ts';
import { toMinimize } from '../../strategies/objectives.ts';
import { strategyConformance } from '../conformance/strategy.case.ts';
import { ACC_LAT, evaluate, metricsOf, rngFor, space } from './fixture.ts';

strategyConformance<Nb201Arch>({
  name: 'reinforce (factorised policy, std-scaled advantages)',
  space,
  objectives: ACC_LAT,
  rng: rngFor,
  evaluate,
  constraint: { metric: 'latency', op: '<=', limit: 30 },
  make: (rng, constraints) => createStrategy('reinforce', { space, objectives: ACC_LAT, constraints, rng }, {
    policy: 'factorised', rewardScale: 'std', learningRate: 0.1, constraintPenalty: 5, resampleKnown: 2, entropyWeight: 0.01,
  }),
  steps: 20,
  batch: 4,
  learnsConstraints: true,
});

/** The loss the policy's gradient is of, computed from probabilities only. */
function loss(p: FactorisedPolicy, arity: readonly number[], batch: number[][], adv: number[], w: number): number {
  let l = 0;
  arity.forEach((_k, s) => {
    const probs = p.probabilities(s);
    batch.forEach((a, b) => { l -= ((adv[b] as number) * Math.log(probs[a[s] as number] as number)) / batch.length; });
    l += w * probs.reduce((acc, q) => acc + q * Math.log(q), 0);
  });
  return l;
}

describe('factorised policy', () => {
  const arity = [3, 5, 2];

  it('analytic gradient matches central finite differences (policy gradient and entropy terms)', () => {
    const p = new FactorisedPolicy(arity, new Rng('fp-init'), 0.1);
    const rng = new Rng('fp-logits');
    const state = p.state();
    const logits = (state.params['logits'] as number[]).map(() => rng.uniform(-2, 2));
    p.load({ ...state, params: { logits } });
    const batch = [[0, 4, 1], [2, 4, 0], [1, 0, 1]];
    const adv = [1.5, -0.7, 0.3];
    for (const w of [0, 0.2]) {
      const g = p.gradient(batch, adv, w);
      const h = 1e-6;
      logits.forEach((z, i) => {
        const at = (v: number) => {
          const q = new FactorisedPolicy(arity, new Rng('x'), 0.1);
          q.load({ ...state, params: { logits: logits.map((u, j) => (j === i ? v : u)) } });
          return loss(q, arity, batch, adv, w);
        };
        expect(g[i]).toBeCloseTo((at(z + h) - at(z - h)) / (2 * h), 6);
      });
    }
  });

  it('a positive advantage raises the chosen action, a negative one lowers it; entropy alone flattens', () => {
    const up = new FactorisedPolicy(arity, new Rng('fp'), 0.1);
    const before = up.probabilities(1)[3] as number;
    for (let i = 0; i < 5; i++) up.update([[0, 3, 1]], [1], 0);
    expect(up.probabilities(1)[3]).toBeGreaterThan(before + 0.1);
    const down = new FactorisedPolicy(arity, new Rng('fp'), 0.1);
    for (let i = 0; i < 5; i++) down.update([[0, 3, 1]], [-1], 0);
    expect(down.probabilities(1)[3]).toBeLessThan(before - 0.05);
    const entropy = (q: number[]) => -q.reduce((a, x) => a + x * Math.log(x), 0);
    const flat = new FactorisedPolicy(arity, new Rng('fp'), 0.1);
    for (let i = 0; i < 5; i++) flat.update([[0, 3, 1]], [1], 0);
    const peaked = entropy(flat.probabilities(1));
    for (let i = 0; i < 20; i++) flat.update([[0, 3, 1]], [0], 1);
    expect(entropy(flat.probabilities(1))).toBeGreaterThan(peaked);
  });

  it('snapshots round-trip exactly and reject a wrong size naming the field', () => {
    const p = new FactorisedPolicy(arity, new Rng('fp'), 0.1);
    p.update([[1, 2, 0]], [0.5], 0.01);
    const copy = new FactorisedPolicy(arity, new Rng('other'), 0.1);
    copy.load(JSON.parse(JSON.stringify(p.state())));
    expect(copy.state()).toEqual(p.state());
    expect(copy.sample(5, new Rng('s'))).toEqual(p.sample(5, new Rng('s')));
    expect(() => copy.load({ ...p.state(), m: { logits: [1] } })).toThrow(/'m\.logits' has 1 values, expected 10/);
  });
});

describe('reinforce with the factorised policy', () => {
  const run = (options: object, steps = 30) => {
    const s = new Reinforce<Nb201Arch>({ space, objectives: ACC_LAT, rng: rngFor(21) }, reinforceOptions.parse({ policy: 'factorised', resampleKnown: 0, ...options }));
    const rewards: number[] = [];
    for (let i = 0; i < steps; i++) {
      s.tell(s.ask(4).map((c): EvalResult<Nb201Arch> => {
        const m = metricsOf(c.x);
        rewards.push(m['accuracy'] as number);
        return { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: 0 };
      }));
    }
    return rewards;
  };
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

  it('learns with and without std-scaled advantages', () => {
    for (const rewardScale of ['none', 'std']) {
      const r = run({ learningRate: 0.1, rewardScale });
      expect(mean(r.slice(-40))).toBeGreaterThan(mean(r.slice(0, 40)) + 3);
    }
  });

  it('restores snapshots written before rewardScale existed (no variance field)', () => {
    const s = createStrategy<Nb201Arch>('reinforce', { space, objectives: ACC_LAT, rng: rngFor(4) }, { policy: 'factorised', rewardScale: 'std' });
    const snap = JSON.parse(JSON.stringify(s.snapshot())) as { own: Record<string, unknown> };
    expect(snap.own['variance']).toBe(0);
    delete snap.own['variance'];
    const t = createStrategy<Nb201Arch>('reinforce', { space, objectives: ACC_LAT, rng: rngFor(5) }, { policy: 'factorised', rewardScale: 'std' });
    t.restore(snap as never);
    expect((t.snapshot() as { own: Record<string, unknown> }).own['variance']).toBe(0);
  });

  it('unknown policy values are named', () => {
    expect(() => createStrategy('reinforce', { space, objectives: ACC_LAT, rng: rngFor(1) }, { policy: 'lstm' })).toThrow(/reinforce\.options\.policy/);
  });
});
