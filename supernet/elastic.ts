/**
 * Elastic layers of the weight-sharing supernet: each takes the max-size weights plus the active
 * sizes (kernel, channels) and slices what the subnet uses — kernel = centre crop (with OFA's learned
 * kernel transformation for smaller kernels), channels = the first ones (the supernet keeps them
 * sorted by importance). Pure functions of (weights, sizes, input): no layer state, so one supernet
 * can serve several callers with different architectures at once.
 *
 * Batch norm has three modes: 'train' normalises with batch statistics; 'calibrate' does the same and
 * hands each layer's batch moments (and activation ranges, for quantisation) to a sink — BN
 * recalibration of a subnet, as Once-for-All does; 'eval' uses the recalibrated statistics of that subnet.
 */
import { tf } from '../runtime/tf.ts';
import { batchNormTrain } from '../runtime/ops/norm.ts';

export const BN_EPSILON = 1e-5;

export interface BnStats {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** What recalibration measures for one subnet: BN moments per layer and activation ranges per tensor. */
export interface SubnetStats {
  readonly bn: ReadonlyMap<string, BnStats>;
  /** max |x| per quantised activation (per-tensor quantisation scale). */
  readonly ranges: ReadonlyMap<string, number>;
}

export interface CalibrationSink {
  bn(layer: string, mean: tf.Tensor1D, variance: tf.Tensor1D): void;
  range(tensor: string, maxAbs: tf.Scalar): void;
  /** Summed squared quantisation error of `tensor` clipped at each CLIP_RATIOS × its batch max (low-bit activations). */
  clipError(tensor: string, errors: tf.Tensor1D): void;
}

/**
 * Clipping points tried for a low-bit activation, as fractions of its range (1 down to ≈0.09):
 * calibration keeps the one with the least squared quantisation error over the calibration images
 * (MSE-optimal clipping, Banner et al. 2019, "Post-training 4-bit quantization of convolutional
 * networks for rapid deployment"), since at 4 bits the max of a tensor is set by rare outliers and
 * spends most of the few steps on them.
 */
export const CLIP_RATIOS: readonly number[] = Array.from({ length: 12 }, (_, k) => 0.8 ** k);

/**
 * Bits from which quantisation-aware training leaves a tensor in float: post-training quantisation
 * at 8 bits costs < 0.3 pt here (measured: W8A8 vs float on the largest subnet), so spending the
 * quantisers' training time there buys nothing.
 */
export const QAT_MAX_BITS = 8;

export type BnMode =
  | {
      readonly kind: 'train';
      /**
       * Quantisation-aware training: weights and activations below QAT_MAX_BITS are fake-quantised
       * with straight-through gradients at the subnet's bits (activation range: the batch's max).
       */
      readonly quantize?: boolean;
    }
  | {
      readonly kind: 'calibrate';
      readonly sink: CalibrationSink;
      /**
       * Second calibration pass of a quantised subnet: run it fake-quantised (weights at their bits,
       * activations over these ranges from the first pass) and collect only BN moments — the
       * moments of the network that will actually run, not of its float twin (at 4 bits the
       * rounding shifts them; a quantisation-aware net was trained with exactly those moments).
       */
      readonly ranges?: ReadonlyMap<string, number>;
    }
  | {
      readonly kind: 'eval';
      readonly stats: SubnetStats;
      /** Fake-quantise weights (per output channel) to the arch's bits. */
      readonly quantize: boolean;
      /** Also fake-quantise activations (default: same as `quantize`); an extracted model bakes in weights only. */
      readonly quantizeActivations?: boolean;
    };

/** Centre k×k crop of a K×K kernel tensor [K, K, ...]. */
export function centreCrop<T extends tf.Tensor4D>(w: T, k: number): tf.Tensor4D {
  const big = w.shape[0];
  if (k === big) return w;
  const o = (big - k) / 2;
  return tf.slice(w, [o, o, 0, 0], [k, k, -1, -1]);
}

/**
 * Depthwise kernel for size k from the max kernel, applying OFA's kernel transformation: each smaller
 * kernel is the centre of the next larger (already transformed) one, multiplied by a learned
 * (k²×k²) matrix shared by all channels (initialised to identity, so training starts from the plain crop).
 * `transforms` maps k → matrix; a missing entry means plain centre crop.
 */
export function elasticDepthwiseKernel(
  w: tf.Tensor4D,
  k: number,
  channels: number,
  transforms: ReadonlyMap<number, tf.Tensor2D>,
): tf.Tensor4D {
  let kernel: tf.Tensor4D = channels === w.shape[2] ? w : tf.slice(w, [0, 0, 0, 0], [-1, -1, channels, -1]);
  let size = kernel.shape[0];
  while (size > k) {
    const next = size - 2;
    const crop = centreCrop(kernel, next);
    const t = transforms.get(next);
    if (t) {
      // [next, next, C, 1] → [C, next²] · T → back to [next, next, C, 1]
      const flat = tf.transpose(tf.reshape(crop, [next * next, channels]));
      kernel = tf.reshape(tf.transpose(tf.matMul(flat, t)), [next, next, channels, 1]);
    } else kernel = crop;
    size = next;
  }
  return kernel;
}

/** Dense/conv weights sliced to the first `cin` input and `cout` output channels (axes 2 and 3). */
export function sliceChannels(w: tf.Tensor4D, cin: number, cout: number): tf.Tensor4D {
  if (cin === w.shape[2] && cout === w.shape[3]) return w;
  return tf.slice(w, [0, 0, 0, 0], [-1, -1, cin, cout]);
}

export function slice1d(v: tf.Tensor1D, n: number): tf.Tensor1D {
  return n === v.shape[0] ? v : tf.slice(v, [0], [n]);
}

export function elasticBatchNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  layer: string,
  mode: BnMode,
): tf.Tensor4D {
  const c = x.shape[3];
  const g = slice1d(gamma, c);
  const b = slice1d(beta, c);
  if (mode.kind === 'eval') {
    const s = mode.stats.bn.get(layer);
    if (!s) throw new Error(`batch-norm statistics for layer ${layer} are missing: recalibrate this subnet first`);
    if (s.mean.length !== c) throw new Error(`batch-norm statistics for ${layer} have ${s.mean.length} channels, layer has ${c}`);
    return tf.batchNorm4d(x, tf.tensor1d(s.mean), tf.tensor1d(s.variance), b, g, BN_EPSILON);
  }
  // runtime/ops batchNormTrain: a closed-form backward pass; tfjs's composed BN gradient tiles the
  // statistics to the full activation shape (measured: Tile was 37 % of a training step, and the
  // extra copies pushed a batch-64 step of the largest subnet past the 4 GB wasm heap).
  const { y, mean, variance } = batchNormTrain(x, { gamma: g, beta: b }, BN_EPSILON);
  if (mode.kind === 'calibrate') mode.sink.bn(layer, mean, variance);
  return y;
}
