/** Pooling (NHWC). Gradients are native kernels everywhere (on wasm MaxPoolGrad is replaced: runtime/kernels/wasm-pool.ts). */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Padding } from './conv.ts';

function check(field: string, size: number, stride: number): void {
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`${field}.size`, size, 'must be a positive integer');
  if (!Number.isInteger(stride) || stride < 1) throw new ConfigError(`${field}.stride`, stride, 'must be a positive integer');
}

export function maxPool(x: tf.Tensor4D, size: number, stride: number, padding: Padding = 'same'): tf.Tensor4D {
  check('maxPool', size, stride);
  return tf.maxPool(x, size, stride, padding);
}

export function avgPool(x: tf.Tensor4D, size: number, stride: number, padding: Padding = 'same'): tf.Tensor4D {
  check('avgPool', size, stride);
  return tf.avgPool(x, size, stride, padding);
}

/** Mean over height and width: [n, h, w, c] → [n, c]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}
