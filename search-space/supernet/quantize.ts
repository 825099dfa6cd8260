/**
 * Post-training fake quantization used when scoring a subnet at its bit-widths (DESIGN.md §4):
 * weights per output channel, symmetric (scale = max|w| / (2^(b−1) − 1)); activations per tensor,
 * unsigned over [0, max] after ReLU6-family activations (scale = max / (2^b − 1)). Values are
 * quantized then dequantized, so the rest of the float graph is unchanged.
 */
import { tf } from '../../core/tf.ts';

/** Per-output-channel symmetric fake quantization of a weight tensor whose last axis is the output channel. */
export function fakeQuantWeights<T extends tf.Tensor>(w: T, bits: number): T {
  if (bits >= 32) return w;
  const levels = 2 ** (bits - 1) - 1;
  return tf.tidy(() => {
    const axes = w.shape.slice(0, -1).map((_, i) => i);
    const maxAbs = tf.max(tf.abs(w), axes, true);
    const scale = tf.div(tf.maximum(maxAbs, 1e-8), levels);
    return tf.mul(tf.round(tf.div(w, scale)), scale) as T;
  });
}

/** Per-tensor unsigned fake quantization of a non-negative activation over [0, maxValue]. */
export function fakeQuantActivation<T extends tf.Tensor>(x: T, bits: number, maxValue: number): T {
  if (bits >= 32) return x;
  const levels = 2 ** bits - 1;
  const scale = maxValue / levels;
  return tf.tidy(() => tf.mul(tf.round(tf.div(tf.clipByValue(x, 0, maxValue), scale)), scale) as T);
}

/** Per-tensor signed symmetric fake quantization over [−maxAbs, maxAbs]. */
export function fakeQuantSigned<T extends tf.Tensor>(x: T, bits: number, maxAbs: number): T {
  if (bits >= 32) return x;
  const levels = 2 ** (bits - 1) - 1;
  const scale = Math.max(maxAbs, 1e-8) / levels;
  return tf.tidy(() => tf.mul(tf.round(tf.div(tf.clipByValue(x, -maxAbs, maxAbs), scale)), scale) as T);
}
