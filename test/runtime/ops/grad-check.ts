/**
 * Shared harness for the gradient tests: runs one loss function on the cpu backend (tfjs's native
 * gradients) and on wasm (the registered backprop kernels), both from the same seeded inputs, and
 * reports the loss and every input gradient side by side.
 */
import { expect } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { tf } from '../../../runtime/tf.ts';
import { installKernels } from '../../../runtime/kernels/install.ts';
installKernels();

export type LossFn = (...inputs: tf.Tensor[]) => tf.Scalar;

export interface GradResult {
  readonly loss: number;
  readonly grads: Float32Array[];
}

/** Seeded normal values for each shape (scaled so activations stay O(1)). */
export function randomInputs(rng: Rng, shapes: readonly number[][], scale = 1): Float32Array[] {
  return shapes.map((s) => {
    const a = new Float32Array(s.reduce((p, d) => p * d, 1));
    for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, scale);
    return a;
  });
}

/** Loss and its gradients w.r.t. every input on `backend`; asserts no tensor outlives the call. */
export async function lossAndGrads(
  backend: 'cpu' | 'wasm', f: LossFn, shapes: readonly number[][], values: readonly Float32Array[],
): Promise<GradResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const before = tf.memory().numTensors;
  const xs = shapes.map((s, i) => tf.tensor(values[i]!, s));
  const { value, grads } = tf.valueAndGrads(f)(xs);
  const out = { loss: (await value.data())[0]!, grads: await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array)) };
  value.dispose();
  tf.dispose(grads);
  tf.dispose(xs);
  expect(tf.memory().numTensors, `${backend}: tensors leaked`).toBe(before);
  return out;
}

/** max|a − b| / max(1, max|b|): absolute near zero, relative for large magnitudes. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0, mag = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return diff / Math.max(1, mag);
}

export const TOLERANCE = 1e-4;

/**
 * Loss = Σ y ⊙ r with a fixed random r, so the upstream gradient is r (dense, no symmetric ties)
 * and every element of y contributes.
 */
export function weightedSum(y: tf.Tensor, r: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, r));
}

/**
 * Compares `f(...inputs)` on wasm against `reference` (default `f`) on cpu; the last shape is
 * usually the loss weight r, whose gradient is y itself (a forward check). A reference built from
 * plain tfjs ops checks ops with hand-written backward passes against tfjs's own gradients.
 */
export async function expectWasmMatchesCpu(label: string, f: LossFn, shapes: number[][], rng: Rng, reference: LossFn = f): Promise<void> {
  const values = randomInputs(rng, shapes);
  const cpu = await lossAndGrads('cpu', reference, shapes, values);
  const wasm = await lossAndGrads('wasm', f, shapes, values);
  expect(relError([wasm.loss], [cpu.loss]), `${label}: loss ${wasm.loss} vs ${cpu.loss}`).toBeLessThan(TOLERANCE);
  expect(wasm.grads.length).toBe(shapes.length);
  cpu.grads.forEach((g, i) => {
    const err = relError(wasm.grads[i]!, g);
    expect(err, `${label}: gradient of input ${i} (shape ${JSON.stringify(shapes[i])}) rel. error`).toBeLessThan(TOLERANCE);
  });
}
