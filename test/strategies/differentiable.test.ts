import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { toGenome } from '../../search-space/mbconv-arch.ts';
import { Differentiable, differentiableOptions } from '../../strategies/differentiable.ts';
import { createStrategy } from '../../strategies/registry.ts';
import type { Strategy } from '../../strategies/strategy.ts';
import { strategyConformance } from '../conformance/strategy.case.ts';
import { evaluateMacs, relaxedFixture, relaxedSpace, type RelaxedFixture } from './fixture-relaxed.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

await initTf('wasm');
const fx: RelaxedFixture = relaxedFixture();
afterAll(() => fx.dispose());

const OBJ = [{ name: 'macs_m', direction: 'min' as const }];

function make(seed: number | Rng, options: object = {}, constraints = [] as { metric: string; op: '<=' | '>='; limit: number }[]): Differentiable<MbconvArch> {
  const rng = typeof seed === 'number' ? new Rng(seed).fork('diff') : seed;
  const ctx = { space: relaxedSpace, objectives: OBJ, constraints, rng, relaxed: fx.problem as never };
  return new Differentiable<MbconvArch>(ctx, differentiableOptions.parse({ stepsPerAsk: 2, batchSize: 8, ...options }));
}

strategyConformance<MbconvArch>({
  name: 'differentiable (mbconv relaxed supernet)',
  space: relaxedSpace,
  objectives: OBJ,
  make: (rng, constraints) => createStrategy('differentiable', { space: relaxedSpace, objectives: OBJ, constraints, rng, relaxed: fx.problem as never }, {
    stepsPerAsk: 1, batchSize: 8, learningRate: 0.3, loss: 'add#linear', lambda: 0.05, costs: { macs_m: 0.05 },
  }) as Strategy<MbconvArch>,
  rng: (seed) => new Rng(seed).fork('diff'),
  evaluate: evaluateMacs,
  constraint: { metric: 'macs_m', op: '<=', limit: 0.05 },
  steps: 8,
  batch: 3,
  learnsConstraints: true,
});

describe('differentiable strategy', () => {
  let before = 0;
  beforeAll(() => {
    make(0).ask(1); // builds the relaxed supernet's constant tensors once
    before = tf.memory().numTensors;
  });

  it('gradients reach every logit: cross-entropy for mixed genes, cost for resolution, score function for sampled ones', () => {
    const q = relaxedFixture({ quantize: true });
    const p = q.problem;
    const n = p.arity.reduce((s, a) => s + a, 0);
    const ce = p.crossEntropy({ logits: new Array(n).fill(0), noise: new Array(n).fill(0), temperature: 1, choices: p.arity.map(() => 1), batch: [0, 1, 2, 3, 4, 5] });
    expect(ce.loss).toBeGreaterThan(0);
    const zeroCe = ce.grad.map((g, i) => (g === 0 ? i : -1)).filter((i) => i >= 0);
    expect(zeroCe).toEqual([0, 1]); // the resolution gene: sampled, not mixed
    const probs = p.arity.map((a) => new Array(a).fill(1 / a));
    const macs = p.expectedCost('macs_m', probs);
    expect(macs.grad[0]![1]).toBeGreaterThan(macs.grad[0]![0]!); // 16 px costs more than 12 px
    const s = new Differentiable<MbconvArch>(
      { space: relaxedSpace, objectives: OBJ, rng: new Rng(11), relaxed: p as never },
      differentiableOptions.parse({ stepsPerAsk: 2, batchSize: 8, costs: { macs_m: 0.1 } }),
    );
    s.ask(1);
    const theta = (s.snapshot() as { own: { theta: number[] } }).own.theta;
    q.dispose();
    expect(theta.filter((v) => v === 0)).toEqual([]);
  });

  it('a large cost penalty derives a cheaper network than none, in both loss forms', () => {
    const cost = (s: Differentiable<MbconvArch>) => fx.problem.cost('macs_m', s.derived());
    const free = make(5, { stepsPerAsk: 12, learningRate: 0.2 });
    free.ask(1);
    const smallest = fx.problem.cost('macs_m', toGenome(relaxedSpace.config, relaxedSpace.smallest()));
    for (const opts of [{ loss: 'add#linear', lambda: 20 }, { loss: 'mul#log', beta: 4 }]) {
      const taxed = make(5, { stepsPerAsk: 12, learningRate: 0.2, costs: { macs_m: 0.05 }, ...opts });
      taxed.ask(1);
      expect(cost(taxed), opts.loss).toBeLessThan(cost(free));
      expect(cost(taxed), opts.loss).toBeLessThan(1.3 * smallest);
      expect(taxed.figures()!.expected['macs_m']).toBeGreaterThan(0);
    }
  });

  it('the hard-constraint schedule raises the cost weight while the derived network breaks the limit', () => {
    const scales = (limit: number) => {
      const s = make(7, { loss: 'add#linear', lambda: 0.01, costs: { macs_m: 0.05 }, learningRate: 0.1 }, [{ metric: 'macs_m', op: '<=', limit }]);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        s.ask(1);
        out.push((s.snapshot() as { own: { scale: number } }).own.scale);
      }
      return { out, expected: s.figures()!.expected['macs_m']! };
    };
    const loose = scales(1); // every network fits
    const impossible = scales(0.01); // below the smallest network (0.018 M MACs)
    expect(loose.out).toEqual([1, 1, 1, 1, 1]);
    expect(impossible.out).toEqual([2, 4, 8, 16, 32]);
    expect(impossible.expected).toBeLessThan(loose.expected);
  });

  it('same seed ⇒ same candidates, snapshot/restore ⇒ the same continuation and logits', () => {
    const run = (s: Differentiable<MbconvArch>, k: number) => Array.from({ length: k }, () => s.ask(2).map((c) => c.key)).flat();
    const a = make(21);
    const whole = run(a, 4);
    expect(run(make(21), 4)).toEqual(whole);
    const b = make(21);
    const head = run(b, 2);
    const snap = JSON.parse(JSON.stringify(b.snapshot()));
    const c = make(99);
    c.restore(snap);
    expect([...head, ...run(c, 2)]).toEqual(whole);
    expect(c.snapshot()).toEqual(a.snapshot());
  });

  it('rejects unknown cost metrics and a context without a relaxed problem', () => {
    expect(() => make(1, { costs: { latency_ms: 3 } })).toThrow(ConfigError);
    expect(() => createStrategy('differentiable', { space: relaxedSpace, objectives: OBJ, rng: new Rng(1) })).toThrow(/relaxed problem/);
  });

  it('leaves no tensors behind', () => {
    const s = make(3);
    for (let i = 0; i < 3; i++) s.ask(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
