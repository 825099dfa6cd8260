/**
 * Convolutions for the supernet (NHWC, "same" padding by default). Thin wrappers over tfjs ops whose
 * gradients work on every backend once the entry point has called `installKernels()`
 * (runtime/kernels/install.ts). tfjs has no grouped convolution, so `conv2d` builds it here.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';

export type Padding = 'same' | 'valid';
export interface ConvOptions {
  readonly stride?: 1 | 2;
  readonly padding?: Padding;
  /** Channel groups (cin and cout divisible by it); filter is [kh, kw, cin/groups, cout]. */
  readonly groups?: number;
}

function checkStride(field: string, stride: number): void {
  if (stride !== 1 && stride !== 2) throw new ConfigError(field, stride, 'stride must be 1 or 2');
}

/**
 * k×k convolution with optional groups. groups == cin == cout with a [k,k,1,c] filter is a
 * depthwise convolution and runs as one; other groupings split channels, convolve, and concatenate.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  const { stride = 1, padding = 'same', groups = 1 } = opts;
  checkStride('conv2d.stride', stride);
  const cin = x.shape[3];
  const [kh, kw, fin, cout] = filter.shape;
  if (!Number.isInteger(groups) || groups < 1 || cin % groups !== 0 || cout % groups !== 0) {
    throw new ConfigError('conv2d.groups', groups, `must divide input channels ${cin} and output channels ${cout}`);
  }
  if (fin * groups !== cin) {
    throw new ConfigError('conv2d.filter', filter.shape, `expected [kh, kw, ${cin / groups}, cout] for ${cin} channels in ${groups} groups`);
  }
  if (groups === 1) return tf.conv2d<tf.Tensor4D>(x, filter, stride, padding);
  return tf.tidy(() => {
    if (groups === cin && cout === cin) {
      return tf.depthwiseConv2d(x, tf.reshape(filter, [kh, kw, cin, 1]), stride, padding);
    }
    const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
    const fs = tf.split(filter, groups, 3) as tf.Tensor4D[];
    return tf.concat(xs.map((xi, g) => tf.conv2d<tf.Tensor4D>(xi, fs[g]!, stride, padding)), 3);
  });
}

/** Depthwise k×k convolution; filter [k, k, c, 1]. */
export function depthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, opts: Omit<ConvOptions, 'groups'> = {}): tf.Tensor4D {
  const { stride = 1, padding = 'same' } = opts;
  checkStride('depthwiseConv2d.stride', stride);
  if (filter.shape[2] !== x.shape[3] || filter.shape[3] !== 1) {
    throw new ConfigError('depthwiseConv2d.filter', filter.shape, `expected [k, k, ${x.shape[3]}, 1]`);
  }
  return tf.depthwiseConv2d(x, filter, stride, padding);
}

/** 1×1 convolution; filter [1, 1, cin, cout] or [cin, cout]. */
export function pointwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D | tf.Tensor2D, opts: { groups?: number } = {}): tf.Tensor4D {
  const f = filter.rank === 2 ? tf.reshape(filter, [1, 1, filter.shape[0], filter.shape[1]!]) as tf.Tensor4D : filter as tf.Tensor4D;
  if (f.shape[0] !== 1 || f.shape[1] !== 1) throw new ConfigError('pointwiseConv2d.filter', filter.shape, 'expected a 1×1 filter');
  const y = conv2d(x, f, { stride: 1, padding: 'same', groups: opts.groups ?? 1 });
  if (f !== filter) f.dispose();
  return y;
}
