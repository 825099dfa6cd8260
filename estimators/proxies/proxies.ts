/**
 * Zero-cost proxies: scores computed on one minibatch at initialization that are meant to rank
 * architectures without training (Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", 2021).
 * - NASWOT (Mellor et al. 2021): binary ReLU activation codes c_i per input; kernel
 *   K_ij = N_A − Hamming(c_i, c_j); score = log|det K|. Inputs the network cannot tell apart make K
 *   singular (score −∞).
 * - synflow (Tanaka et al. 2020): weights replaced by |θ|, an all-ones input, R = Σ outputs;
 *   score = Σ θ·∂R/∂θ (reported as log10, the raw value spans dozens of orders of magnitude).
 * - grad-norm: Σ over parameter tensors of ‖∂CE/∂θ‖₂ on a labelled minibatch.
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import { tf } from '../../runtime/tf.ts';
import type { InitNetwork } from './init-network.ts';

/** log|det K| through LU pivots, which stays finite where the determinant itself overflows. */
export function logAbsDet(k: readonly (readonly number[])[]): number {
  const lu = new LuDecomposition(new Matrix(k.map((r) => [...r])));
  if (lu.isSingular()) return -Infinity;
  const u = lu.upperTriangularMatrix;
  let s = 0;
  for (let i = 0; i < u.rows; i++) s += Math.log(Math.abs(u.get(i, i)));
  return s;
}

export function naswotKernel(net: InitNetwork, x: tf.Tensor4D): number[][] {
  return tf.tidy(() => {
    const { preActivations } = net.forward(x);
    const n = x.shape[0];
    const codes = tf.concat(preActivations.map((p) => tf.reshape(tf.cast(tf.greater(p, 0), 'float32'), [n, -1])), 1);
    const inv = tf.sub(1, codes);
    return tf.add(tf.matMul(codes, codes, false, true), tf.matMul(inv, inv, false, true)).arraySync() as number[][];
  });
}

export function naswot(net: InitNetwork, x: tf.Tensor4D): number {
  return logAbsDet(naswotKernel(net, x));
}

export function synflow(net: InitNetwork, inputShape: readonly [number, number, number]): number {
  const abs = net.params.map((p) => tf.abs(p));
  try {
    const grads = tf.tidy(() => {
      const ones = tf.ones([1, ...inputShape]) as tf.Tensor4D;
      return tf.grads((...ws: tf.Tensor[]) => tf.sum(net.forward(ones, ws).logits))(abs);
    });
    const per = tf.tidy(() => abs.map((w, i) => tf.sum(tf.mul(w, grads[i] as tf.Tensor)).dataSync()[0] as number));
    tf.dispose(grads);
    const total = per.reduce((a, v) => a + v, 0);
    return Math.log10(total);
  } finally {
    tf.dispose(abs);
  }
}

export function gradNorm(net: InitNetwork, x: tf.Tensor4D, labels: Int32Array, numClasses: number): number {
  const { grads, value } = tf.variableGrads(() => {
    const { logits } = net.forward(x);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, [...net.params]);
  value.dispose();
  const norms = tf.tidy(() => Object.values(grads).map((g) => tf.norm(g).dataSync()[0] as number));
  tf.dispose(Object.values(grads));
  return norms.reduce((a, v) => a + v, 0);
}
