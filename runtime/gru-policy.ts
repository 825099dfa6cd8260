/**
 * The REINFORCE controller: a GRU (Cho et al. 2014) built from tfjs ops that emits one categorical
 * decision per step; the previous decision, embedded, is the next step's input. Adam (Kingma & Ba
 * 2015) is implemented here over plain variables so its moments are ordinary tensors that the
 * snapshot can read synchronously and restore bit-exactly. Strategies get it injected as
 * `tensorPolicies.gru` (core/policy.ts), so strategies/ never imports the tensor runtime.
 */
import type { Policy, PolicyState, TensorPolicies } from '../core/policy.ts';
import type { Rng } from '../core/rng.ts';
import { tf } from './tf.ts';

export class GruController implements Policy {
  private readonly params = new Map<string, tf.Variable>();
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;
  private readonly offsets: number[];
  private readonly tokens: number;

  constructor(private readonly arity: readonly number[], private readonly hidden: number, init: Rng, private readonly lr: number) {
    this.offsets = [];
    let o = 0;
    for (const n of arity) {
      this.offsets.push(o);
      o += n;
    }
    this.tokens = o;
    const H = hidden;
    const shapes: Record<string, [number, number]> = {
      // One extra embedding row: the start token.
      embed: [this.tokens + 1, H], wx: [H, 3 * H], wh: [H, 3 * H], b: [1, 3 * H], wo: [H, this.tokens], bo: [1, this.tokens],
    };
    const scale = 1 / Math.sqrt(H);
    for (const [name, shape] of Object.entries(shapes)) {
      const size = shape[0] * shape[1];
      const values = Float32Array.from({ length: size }, () => (name.startsWith('b') ? 0 : init.uniform(-scale, scale)));
      const initial = tf.tensor2d(values, shape);
      this.params.set(name, tf.variable(initial, true, `ctrl_${name}_${uid()}`));
      initial.dispose();
      this.m.set(name, tf.tidy(() => tf.variable(tf.zeros(shape), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zeros(shape), false)));
    }
  }

  private p(name: string): tf.Tensor2D {
    return this.params.get(name) as unknown as tf.Tensor2D;
  }

  /** One GRU step for a batch: input tokens → new hidden state. */
  private cell(tokens: tf.Tensor1D, h: tf.Tensor2D): tf.Tensor2D {
    const H = this.hidden;
    // One-hot × table instead of gather: gather's gradient needs UnsortedSegmentSum, absent on wasm.
    const x = tf.matMul(tf.oneHot(tokens, this.tokens + 1), this.p('embed'));
    const gx = tf.add(tf.matMul(x, this.p('wx')), this.p('b'));
    const gh = tf.matMul(h, this.p('wh'));
    const z = tf.sigmoid(tf.add(tf.slice(gx, [0, 0], [-1, H]), tf.slice(gh, [0, 0], [-1, H])));
    const r = tf.sigmoid(tf.add(tf.slice(gx, [0, H], [-1, H]), tf.slice(gh, [0, H], [-1, H])));
    const n = tf.tanh(tf.add(tf.slice(gx, [0, 2 * H], [-1, H]), tf.mul(r, tf.slice(gh, [0, 2 * H], [-1, H]))));
    return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
  }

  private logits(h: tf.Tensor2D, step: number): tf.Tensor2D {
    const off = this.offsets[step] as number;
    const n = this.arity[step] as number;
    return tf.add(tf.matMul(h, tf.slice(this.p('wo'), [0, off], [-1, n])), tf.slice(this.p('bo'), [0, off], [-1, n]));
  }

  /**
   * Samples `n` decision sequences at once (one forward pass per step for the whole batch), drawing
   * with `rng` from each row's softmax, row by row within a step.
   */
  sample(n: number, rng: Rng): number[][] {
    const actions: number[][] = Array.from({ length: n }, () => []);
    let h = tf.zeros([n, this.hidden]) as tf.Tensor2D;
    let tokens: number[] = new Array<number>(n).fill(this.tokens);
    for (let s = 0; s < this.arity.length; s++) {
      const k = this.arity[s] as number;
      const [next, probs] = tf.tidy(() => {
        const hn = this.cell(tf.tensor1d(tokens, 'int32'), h);
        return [hn, tf.softmax(this.logits(hn, s)).dataSync()] as const;
      });
      h.dispose();
      h = next;
      tokens = actions.map((row, i) => {
        const a = rng.weightedIndex(Array.from(probs.subarray(i * k, (i + 1) * k)));
        row.push(a);
        return (this.offsets[s] as number) + a;
      });
    }
    h.dispose();
    return actions;
  }

  /** One Adam step on −mean(advantage · log π(actions)) − entropyWeight · entropy. */
  update(batch: readonly (readonly number[])[], advantages: readonly number[], entropyWeight: number): void {
    if (batch.length === 0) return;
    const B = batch.length;
    const vars = [...this.params.values()];
    tf.tidy(() => {
      const adv = tf.tensor1d(advantages as number[]);
      const { grads } = tf.variableGrads(() => {
        let h = tf.zeros([B, this.hidden]) as tf.Tensor2D;
        let logp = tf.zeros([B]) as tf.Tensor1D;
        let ent = tf.scalar(0);
        let tokens = tf.fill([B], this.tokens, 'int32') as tf.Tensor1D;
        for (let s = 0; s < this.arity.length; s++) {
          h = this.cell(tokens, h);
          const lsm = tf.logSoftmax(this.logits(h, s));
          const chosen = batch.map((a) => a[s] as number);
          const mask = tf.oneHot(tf.tensor1d(chosen, 'int32'), this.arity[s] as number);
          logp = tf.add(logp, tf.sum(tf.mul(lsm, mask), 1));
          ent = tf.add(ent, tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(lsm), lsm), 1))));
          tokens = tf.tensor1d(chosen.map((c) => (this.offsets[s] as number) + c), 'int32');
        }
        return tf.sub(tf.neg(tf.mean(tf.mul(adv, logp))), tf.mul(entropyWeight, ent)) as tf.Scalar;
      }, vars);
      this.t++;
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** this.t;
      const c2 = 1 - b2 ** this.t;
      for (const [name, param] of this.params) {
        const g = grads[param.name] as tf.Tensor;
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        m.assign(tf.add(tf.mul(b1, m), tf.mul(1 - b1, g)));
        v.assign(tf.add(tf.mul(b2, v), tf.mul(1 - b2, tf.square(g))));
        param.assign(tf.sub(param, tf.div(tf.mul(this.lr / c1, m), tf.add(tf.sqrt(tf.div(v, c2)), 1e-8))));
      }
    });
  }

  state(): PolicyState {
    const read = (map: Map<string, tf.Variable>) => Object.fromEntries([...map].map(([k, t]) => [k, Array.from(t.dataSync())]));
    return { params: read(this.params), m: read(this.m), v: read(this.v), t: this.t };
  }

  load(state: PolicyState): void {
    const write = (map: Map<string, tf.Variable>, values: Record<string, number[]>) => {
      for (const [k, t] of map) {
        const vals = values[k];
        if (!vals || vals.length !== t.size) throw new Error(`controller snapshot: '${k}' has ${vals?.length ?? 0} values, expected ${t.size}`);
        tf.tidy(() => t.assign(tf.tensor(vals, t.shape)));
      }
    };
    write(this.params, state.params);
    write(this.m, state.m);
    write(this.v, state.v);
    this.t = state.t;
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const map of [this.params, this.m, this.v]) for (const t of map.values()) t.dispose();
  }
}

/** The tensor policies strategies are given by the wiring point (createPlatform, benchmarks, tests). */
export const tensorPolicies: TensorPolicies = {
  gru: (arity, hidden, init, learningRate) => new GruController(arity, hidden, init, learningRate),
};

let counter = 0;
/** Variable names must be unique per tfjs engine; several controllers may coexist. */
function uid(): number {
  return ++counter;
}
