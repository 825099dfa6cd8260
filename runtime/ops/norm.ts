/**
 * Batch normalisation over all axes but the last (channels). Training mode normalises with the
 * batch's moments and returns them so the caller can update its running statistics (which it owns:
 * the supernet recalibrates them per subnet); inference mode uses the given running statistics.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';

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

/**
 * Mean over all rows of x viewed as [rows, c], as one average pool over a [rows, 1] window: tf.mean
 * over leading axes makes the wasm backend transpose the whole tensor, and a ones·x matMul repacks
 * x as XNNPACK weights on every call (measured on a fresh [12544, 192]: pool ≈ 3 ms CPU, matMul
 * ≈ 40 ms, tf.sum ≈ 12 ms).
 */
function channelMean(x2: tf.Tensor2D): tf.Tensor1D {
  const [rows, c] = x2.shape;
  return tf.reshape(tf.avgPool(tf.reshape(x2, [1, rows, 1, c]) as tf.Tensor4D, [rows, 1], 1, 'valid'), [c]);
}

/**
 * Training-mode normalisation with a hand-written backward pass (the standard closed form:
 * dβ = Σdy, dγ = Σdy·x̂, dx = γ·rstd·(dy − dβ/N − x̂·dγ/N)), about a third of the kernels tfjs's
 * composed gradient runs. Batch moments are returned as statistics for running averages: no
 * gradient flows back through them.
 */
export function batchNormTrain<T extends tf.Tensor>(x: T, p: BatchNormParams, epsilon = BN_EPSILON): BatchNormTrainResult<T> {
  check(x, p);
  const c = x.shape[x.rank - 1]!;
  const rows = x.size / c;
  let kept: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const bn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const x2 = tf.reshape(xi, [rows, c]) as tf.Tensor2D;
    const m = channelMean(x2);
    const xc = tf.sub(x2, m) as tf.Tensor2D;
    const v = channelMean(tf.square(xc) as tf.Tensor2D);
    const rstd = tf.rsqrt(tf.add(v, epsilon)) as tf.Tensor1D;
    const xhat = tf.mul(xc, rstd) as tf.Tensor2D;
    const y = tf.reshape(tf.add(tf.mul(xhat, gamma), beta), xi.shape);
    save([xhat, rstd, gamma as tf.Tensor1D]);
    kept = [tf.keep(m), tf.keep(v)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sgamma] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const dy2 = tf.reshape(dy, [rows, c]) as tf.Tensor2D;
        const dbetaMean = channelMean(dy2);
        const dgammaMean = channelMean(tf.mul(dy2, sxhat) as tf.Tensor2D);
        const centred = tf.sub(dy2, tf.add(tf.mul(sxhat, dgammaMean), dbetaMean));
        const dx = tf.reshape(tf.mul(centred, tf.mul(sgamma, srstd)), dy.shape);
        return [dx, tf.mul(dgammaMean, rows), tf.mul(dbetaMean, rows)];
      },
    };
  });
  const y = bn(x, p.gamma, p.beta) as T;
  // The moments escape customGrad's scope only when kept; hand the caller tracked copies instead so
  // an enclosing tidy owns them like any other result.
  const [m, v] = kept!;
  const result = { y, mean: tf.clone(m), variance: tf.clone(v) };
  tf.dispose([m, v]);
  return result;
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
