/**
 * A factorised softmax policy: one independent categorical distribution per decision, as in the
 * REINFORCE baseline of NAS-Bench-201 (Dong & Yang, ICLR 2020, §5: one logit per edge × op, logits
 * initialised at 1e-3 × N(0,1)-scale noise). Plain JS numbers with an analytic gradient and Adam,
 * so it needs no tensor runtime, runs in microseconds per step and snapshots bit-exactly (doubles
 * round-trip through JSON). Same state shape as the GRU controller's.
 */
import type { Rng } from '../core/rng.ts';
import type { Policy, PolicyState } from '../core/policy.ts';

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

function softmax(z: readonly number[]): number[] {
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export class FactorisedPolicy implements Policy {
  private logits: number[];
  private m: number[];
  private v: number[];
  private t = 0;
  private readonly offsets: number[];

  constructor(private readonly arity: readonly number[], init: Rng, private readonly lr: number) {
    this.offsets = [];
    let o = 0;
    for (const n of arity) {
      this.offsets.push(o);
      o += n;
    }
    this.logits = Array.from({ length: o }, () => init.uniform(-1e-3, 1e-3));
    this.m = new Array<number>(o).fill(0);
    this.v = new Array<number>(o).fill(0);
  }

  /** The probabilities of decision `step` (for inspection and tests). */
  probabilities(step: number): number[] {
    const off = this.offsets[step] as number;
    return softmax(this.logits.slice(off, off + (this.arity[step] as number)));
  }

  sample(n: number, rng: Rng): number[][] {
    const probs = this.arity.map((_a, s) => this.probabilities(s));
    return Array.from({ length: n }, () => probs.map((p) => rng.weightedIndex(p)));
  }

  /**
   * Gradient of −mean(advantage · log π(actions)) − entropyWeight · Σ entropy over the logits:
   * ∂log π(a)/∂z_k = 1[k=a] − p_k and ∂H/∂z_k = −p_k (log p_k + H).
   */
  gradient(batch: readonly (readonly number[])[], advantages: readonly number[], entropyWeight: number): number[] {
    const grad = new Array<number>(this.logits.length).fill(0);
    this.arity.forEach((k, s) => {
      const off = this.offsets[s] as number;
      const p = this.probabilities(s);
      batch.forEach((actions, b) => {
        const adv = (advantages[b] as number) / batch.length;
        for (let i = 0; i < k; i++) grad[off + i] = (grad[off + i] as number) - adv * ((actions[s] === i ? 1 : 0) - (p[i] as number));
      });
      const h = -p.reduce((acc, pi) => acc + (pi > 0 ? pi * Math.log(pi) : 0), 0);
      for (let i = 0; i < k; i++) {
        const pi = p[i] as number;
        if (pi > 0) grad[off + i] = (grad[off + i] as number) + entropyWeight * pi * (Math.log(pi) + h);
      }
    });
    return grad;
  }

  /** One Adam step (Kingma & Ba 2015) along `gradient`. */
  update(batch: readonly (readonly number[])[], advantages: readonly number[], entropyWeight: number): void {
    if (batch.length === 0) return;
    const grad = this.gradient(batch, advantages, entropyWeight);
    this.t++;
    const c1 = 1 - B1 ** this.t;
    const c2 = 1 - B2 ** this.t;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i] as number;
      const m = B1 * (this.m[i] as number) + (1 - B1) * g;
      const v = B2 * (this.v[i] as number) + (1 - B2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      this.logits[i] = (this.logits[i] as number) - ((this.lr / c1) * m) / (Math.sqrt(v / c2) + EPS);
    }
  }

  state(): PolicyState {
    return { params: { logits: [...this.logits] }, m: { logits: [...this.m] }, v: { logits: [...this.v] }, t: this.t };
  }

  load(state: PolicyState): void {
    const read = (values: Record<string, number[]>, what: string): number[] => {
      const vals = values['logits'];
      if (!vals || vals.length !== this.logits.length) throw new Error(`policy snapshot: '${what}.logits' has ${vals?.length ?? 0} values, expected ${this.logits.length}`);
      return [...vals];
    };
    this.logits = read(state.params, 'params');
    this.m = read(state.m, 'm');
    this.v = read(state.v, 'v');
    this.t = state.t;
  }

  dispose(): void {}
}
