/**
 * Post-training fake quantization used when scoring a subnet at its bit-widths (DESIGN.md §4):
 * weights per output channel, symmetric (scale = max|w| / (2^(b−1) − 1)); activations per tensor,
 * unsigned over [0, max] after ReLU6-family activations (scale = max / (2^b − 1)). Values are
 * quantized then dequantized, so the rest of the float graph is unchanged.
 */
import { tf } from '../runtime/tf.ts';

/**
 * Per-channel symmetric fake quantization of a weight tensor. `channelAxis` is the output-channel
 * axis: the last one for conv/FC weights [kh, kw, cin, cout]; 2 for depthwise kernels [k, k, C, 1],
 * whose last axis is the channel multiplier — quantising those per tensor lets the largest channel
 * set everyone's step (the known failure of 4-bit depthwise layers; Krishnamoorthi 2018, §3.1).
 */
export function fakeQuantWeights<T extends tf.Tensor>(w: T, bits: number, channelAxis = w.rank - 1): T {
  if (bits >= 32) return w;
  const levels = 2 ** (bits - 1) - 1;
  return tf.tidy(() => {
    const axes = w.shape.map((_, i) => i).filter((i) => i !== channelAxis);
    const maxAbs = tf.max(tf.abs(w), axes, true);
    const scale = tf.div(tf.maximum(maxAbs, 1e-8), levels);
    return tf.mul(tf.round(tf.div(w, scale)), scale) as T;
  });
}

/** The channel axis of a depthwise kernel [k, k, C, multiplier]. */
export const DEPTHWISE_CHANNEL_AXIS = 2;

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

/** Identity gradient around a quantiser `q` (straight-through estimator, Bengio et al. 2013). */
export function straightThrough<T extends tf.Tensor>(x: T, q: (t: tf.Tensor) => tf.Tensor): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: q(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => dy,
  }));
  return f(x) as T;
}

/**
 * Quantisation-aware training (Jacob et al. 2018): the forward pass sees the quantised weights, the
 * backward pass treats rounding as identity. The per-channel scales are constants of the step.
 */
export function steQuantWeights<T extends tf.Tensor>(w: T, bits: number, channelAxis = w.rank - 1): T {
  if (bits >= 32) return w;
  return straightThrough(w, (t) => fakeQuantWeights(t, bits, channelAxis));
}

/**
 * STE version of `fakeQuantActivation` (unsigned, [0, maxValue]) or `fakeQuantSigned`
 * ([−maxValue, maxValue]). The pass-through mask is built with float kernels only (step of the
 * distance to the clip point): comparisons and bool casts are among the slowest wasm kernels.
 */
export function steQuantActivation<T extends tf.Tensor>(x: T, bits: number, maxValue: number, signed: boolean): T {
  if (bits >= 32) return x;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [v, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([v]);
    const value = signed ? fakeQuantSigned(v, bits, maxValue) : fakeQuantActivation(v, bits, maxValue);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const s = saved[0] as tf.Tensor;
        // inside ⇔ maxValue − |v| ≥ 0 (unsigned inputs are ReLU6 outputs, never below 0)
        return tf.mul(dy, tf.step(tf.add(tf.sub(maxValue, signed ? tf.abs(s) : s), 1e-12)));
      },
    };
  });
  return f(x) as T;
}
