/**
 * SGD with Nesterov momentum and L2 weight decay, written here (rather than
 * tf.train.momentum) because exact resume needs its state saved and restored bit for bit, and the
 * supernet needs weight decay that touches only the parameters a step actually used: decay is added
 * to the non-zero gradient entries, so a slice with zero gradient and zero velocity does not move.
 */
import { tf } from '../runtime/tf.ts';
import type { PackedTensor } from './params.ts';
import { paramName } from './params.ts';

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
}

export const DEFAULT_SGD: SgdOptions = { momentum: 0.9, weightDecay: 3e-5, nesterov: true };

/** tfjs variable names are global: a counter keeps velocity names unique across optimizers. */
let restoreCount = 0;

export class Sgd {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(private readonly options: SgdOptions = DEFAULT_SGD) {}

  /**
   * Applies one update with learning rate `lr`. `grads` maps tf variable name → gradient (as
   * tf.variableGrads returns it); velocities and `noDecay` use the plain parameter names, so the
   * state transfers to another supernet instance on resume.
   */
  apply(vars: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>, lr: number, noDecay: ReadonlySet<string> = new Set()): void {
    const { momentum, weightDecay, nesterov } = this.options;
    tf.tidy(() => {
      for (const v of vars) {
        const g0 = grads[v.name];
        if (!g0) continue;
        // L2 decay only where the gradient is non-zero, i.e. on the weight slices this subnet used.
        const name = paramName(v.name);
        const g = weightDecay > 0 && !noDecay.has(name) ? tf.add(g0, tf.mul(tf.mul(v, weightDecay), tf.notEqual(g0, 0))) : g0;
        let vel = this.velocity.get(name);
        if (!vel) {
          vel = tf.variable(tf.zerosLike(v), false, `${v.name}/velocity@${restoreCount++}`);
          this.velocity.set(name, vel);
        }
        const newVel = tf.add(tf.mul(vel, momentum), g);
        vel.assign(newVel);
        const step = nesterov ? tf.add(g, tf.mul(newVel, momentum)) : newVel;
        v.assign(tf.sub(v, tf.mul(step, lr)));
      }
    });
  }

  /**
   * Rewrites the velocity of parameter `name` with `f` (e.g. the same channel permutation the
   * parameter got), so momentum keeps pointing along the weights it was built for.
   */
  transform(name: string, f: (velocity: tf.Tensor) => tf.Tensor): void {
    const vel = this.velocity.get(name);
    if (vel) tf.tidy(() => vel.assign(f(vel)));
  }

  state(): PackedTensor[] {
    return [...this.velocity.entries()].map(([name, v]) => ({ name, shape: v.shape, data: v.dataSync() as Float32Array }));
  }

  restore(entries: readonly PackedTensor[]): void {
    this.dispose();
    for (const e of entries) {
      const t = tf.tensor(e.data, e.shape as number[]);
      this.velocity.set(e.name, tf.variable(t, false, `${e.name}/velocity@${restoreCount++}`));
      t.dispose();
    }
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

/** Cosine learning-rate schedule with linear warm-up, by global step. */
export function cosineLr(step: number, totalSteps: number, baseLr: number, warmupSteps = 0, minLr = 0): number {
  if (warmupSteps > 0 && step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const t = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * t));
}
