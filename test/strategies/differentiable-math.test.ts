import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { adamStep, combineLoss, gumbel, softmaxBackward, softmaxGroups, temperature } from '../../strategies/differentiable-math.ts';

describe('differentiable search math', () => {
  it('softmaxBackward is the chain rule through per-decision softmax (finite differences)', () => {
    const arity = [3, 2];
    const theta = [0.3, -1, 2, 0.5, 0.1];
    const f = (t: number[]) => {
      const p = softmaxGroups(t, arity);
      return 2 * p[0]![1]! + p[0]![2]! * p[1]![0]! + 3 * p[1]![1]!;
    };
    const p = softmaxGroups(theta, arity);
    const gradP = [[0, 2, p[1]![0]!], [p[0]![2]!, 3]];
    const g = softmaxBackward(p, gradP);
    theta.forEach((_, i) => {
      const at = (d: number) => f(theta.map((v, j) => (j === i ? v + d : v)));
      expect(g[i]).toBeCloseTo((at(1e-6) - at(-1e-6)) / 2e-6, 6);
    });
  });

  it('both losses have the gradient their formula implies, and mul#log is CE at the target', () => {
    for (const kind of ['mul#log', 'add#linear'] as const) {
      const loss = (e: number) => combineLoss(kind, 1.7, [{ value: e, grad: [1], target: 4 }], 1, { beta: 0.6, lambda: 2, scale: 1.5 }).loss;
      const c = combineLoss(kind, 1.7, [{ value: 6, grad: [1], target: 4 }], 1, { beta: 0.6, lambda: 2, scale: 1.5 });
      expect(c.costGrad[0]).toBeCloseTo((loss(6 + 1e-6) - loss(6 - 1e-6)) / 2e-6, 5);
      expect(c.loss).toBeCloseTo(loss(6), 12);
    }
    expect(combineLoss('mul#log', 1.7, [{ value: 4, grad: [1], target: 4 }], 1, { beta: 0.6, lambda: 1, scale: 1 }).loss).toBeCloseTo(1.7, 12);
    expect(combineLoss('add#linear', 1.7, [{ value: 4, grad: [1], target: 4 }], 1, { beta: 0.6, lambda: 1, scale: 1 }).loss).toBeCloseTo(2.7, 12);
    // Far below the target the multiplicative factor stops pushing.
    expect(combineLoss('mul#log', 1, [{ value: 0.01, grad: [1], target: 4 }], 1, { beta: 0.6, lambda: 1, scale: 1 }).costGrad[0]).toBe(0);
  });

  it('temperature anneals exponentially from start to end and then stays', () => {
    expect(temperature(0, 5, 0.5, 100)).toBe(5);
    expect(temperature(50, 5, 0.5, 100)).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(temperature(100, 5, 0.5, 100)).toBeCloseTo(0.5, 12);
    expect(temperature(500, 5, 0.5, 100)).toBeCloseTo(0.5, 12);
  });

  it('Adam moves each coordinate by about the learning rate against its gradient sign at the first step', () => {
    const x = [1, 1, 1];
    const s = { m: [0, 0, 0], v: [0, 0, 0], t: 0 };
    adamStep(x, [3, -0.01, 0], s, 0.1);
    expect(x[0]).toBeCloseTo(0.9, 6);
    expect(x[1]).toBeCloseTo(1.1, 4);
    expect(x[2]).toBe(1);
    expect(s.t).toBe(1);
  });

  it('Gumbel noise comes from the Rng: same seed, same noise; its mean is the Euler–Mascheroni constant', () => {
    const a = gumbel(new Rng('g'), 20000);
    expect(gumbel(new Rng('g'), 5)).toEqual(a.slice(0, 5));
    expect(a.reduce((s, v) => s + v, 0) / a.length).toBeCloseTo(0.5772, 1);
  });
});
