/**
 * Batch normalisation over all axes but the last (channels). Training mode normalises with the
 * batch's moments and returns them so the caller can update its running statistics (which it owns:
 * the supernet recalibrates them per subnet); inference mode uses the given running statistics.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../errors.ts';

export interface BatchNormParams {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
}

export interface BatchNormTrainResult<T extends tf.Tensor> {
  readonly y: T;
  /** Batch mean and (biased) variance per channel, the values used to normalise. */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

export const BN_EPSILON = 1e-3;

function check(x: tf.Tensor, p: BatchNormParams): number[] {
  const c = x.shape[x.rank - 1]!;
  if (p.gamma.shape[0] !== c) throw new ConfigError('batchNorm.gamma', p.gamma.shape, `expected [${c}]`);
  if (p.beta.shape[0] !== c) throw new ConfigError('batchNorm.beta', p.beta.shape, `expected [${c}]`);
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}

export function batchNormTrain<T extends tf.Tensor>(x: T, p: BatchNormParams, epsilon = BN_EPSILON): BatchNormTrainResult<T> {
  const axes = check(x, p);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, axes);
    const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), p.gamma), p.beta) as T;
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

export function batchNormInfer<T extends tf.Tensor>(
  x: T, p: BatchNormParams, movingMean: tf.Tensor1D, movingVariance: tf.Tensor1D, epsilon = BN_EPSILON,
): T {
  check(x, p);
  return tf.batchNorm(x, movingMean, movingVariance, p.beta, p.gamma, epsilon) as T;
}

/** moving ← momentum·moving + (1 − momentum)·batch, as new tensors (inputs untouched). */
export function updateMoving(moving: tf.Tensor1D, batch: tf.Tensor1D, momentum: number): tf.Tensor1D {
  if (!(momentum >= 0 && momentum <= 1)) throw new ConfigError('batchNorm.momentum', momentum, 'must be in [0, 1]');
  return tf.tidy(() => tf.add(tf.mul(moving, momentum), tf.mul(batch, 1 - momentum)));
}
