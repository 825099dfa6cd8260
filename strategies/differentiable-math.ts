/**
 * The numeric pieces of differentiable search, in plain float64 so snapshots restore bit-exactly:
 * per-decision softmax and its Jacobian, Gumbel noise, temperature annealing, Adam, and the two
 * cost-aware losses (FBNet's multiplicative log form and the additive linear form).
 */
import type { Rng } from '../core/rng.ts';

/** Start offset of each decision in the flat logits vector. */
export function offsets(arity: readonly number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const a of arity) {
    out.push(at);
    at += a;
  }
  return out;
}

export function softmaxGroups(logits: readonly number[], arity: readonly number[]): number[][] {
  const off = offsets(arity);
  return arity.map((a, g) => {
    const z = logits.slice(off[g], (off[g] as number) + a);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
}

/** ∂/∂logits of a function whose gradient w.r.t. the per-decision softmax probabilities is gradP. */
export function softmaxBackward(probs: readonly (readonly number[])[], gradP: readonly (readonly number[])[]): number[] {
  return probs.flatMap((p, g) => {
    const gp = gradP[g] as readonly number[];
    const dot = p.reduce((s, v, i) => s + v * (gp[i] as number), 0);
    return p.map((v, i) => v * ((gp[i] as number) - dot));
  });
}

/** Standard Gumbel noise −log(−log u), u ∈ (0, 1). */
export function gumbel(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.min(Math.max(rng.next(), 1e-12), 1 - 1e-12);
    return -Math.log(-Math.log(u));
  });
}

export function argmaxGroups(probs: readonly (readonly number[])[]): number[] {
  return probs.map((p) => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0));
}

/** Exponential annealing from `start` to `end` over `steps` steps, then constant (FBNet anneals τ exponentially). */
export function temperature(step: number, start: number, end: number, steps: number): number {
  return start * (end / start) ** Math.min(1, step / Math.max(1, steps));
}

export interface AdamState {
  m: number[];
  v: number[];
  t: number;
}

/** One Adam step (Kingma & Ba 2015) on `x` in place. */
export function adamStep(x: number[], grad: readonly number[], s: AdamState, lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): void {
  s.t++;
  const c1 = 1 - b1 ** s.t;
  const c2 = 1 - b2 ** s.t;
  for (let i = 0; i < x.length; i++) {
    const g = grad[i] as number;
    s.m[i] = b1 * (s.m[i] as number) + (1 - b1) * g;
    s.v[i] = b2 * (s.v[i] as number) + (1 - b2) * g * g;
    x[i] = (x[i] as number) - (lr * ((s.m[i] as number) / c1)) / (Math.sqrt((s.v[i] as number) / c2) + eps);
  }
}

export type LossKind = 'mul#log' | 'add#linear';

export interface CostTerm {
  /** E[cost] and its gradient w.r.t. the logits. */
  readonly value: number;
  readonly grad: readonly number[];
  readonly target: number;
}

export interface Combined {
  readonly loss: number;
  /** Multiplier of the cross-entropy in the loss (its gradient and the score-function term scale by it). */
  readonly ceScale: number;
  /** ∂loss/∂logits through the cost terms only. */
  readonly costGrad: number[];
}

/** Below a tenth of the target the multiplicative factor stops pushing (its log would turn negative). */
const FLOOR = 0.01;

/**
 * 'mul#log': loss = CE · Π_m (log(10·E_m/T_m) / log 10)^β — FBNet's CE · α·(log LAT)^β
 * (Wu et al. 2019, arXiv:1812.03443) with cost measured in tenths of the target, so the factor is 1
 * at the target and log stays positive over the range that matters.
 * 'add#linear': loss = CE + λ · Σ_m E_m / T_m.
 * `scale` multiplies β (resp. λ): the hard-constraint schedule raises it.
 */
export function combineLoss(kind: LossKind, ce: number, costs: readonly CostTerm[], n: number, opts: { beta: number; lambda: number; scale: number }): Combined {
  const costGrad = new Array<number>(n).fill(0);
  if (kind === 'add#linear') {
    let loss = ce;
    for (const c of costs) {
      const w = (opts.lambda * opts.scale) / c.target;
      loss += w * c.value;
      c.grad.forEach((g, i) => (costGrad[i] = (costGrad[i] as number) + w * g));
    }
    return { loss, ceScale: 1, costGrad };
  }
  const beta = opts.beta * opts.scale;
  const ratios = costs.map((c) => Math.log((10 * c.value) / c.target) / Math.LN10);
  const factor = ratios.reduce((f, r) => f * Math.max(r, FLOOR) ** beta, 1);
  costs.forEach((c, m) => {
    const r = ratios[m] as number;
    if (r <= FLOOR) return;
    // ∂/∂E of CE·F = CE · F · β / (r · E · ln 10)
    const w = (ce * factor * beta) / (r * c.value * Math.LN10);
    c.grad.forEach((g, i) => (costGrad[i] = (costGrad[i] as number) + w * g));
  });
  return { loss: ce * factor, ceScale: factor, costGrad };
}
