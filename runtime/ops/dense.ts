/** Fully connected layer: x [n, in] · w [in, out] (+ b [out]). */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';

export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (x.shape[1] !== w.shape[0]) throw new ConfigError('dense.w', w.shape, `expected [${x.shape[1]}, out] for input ${JSON.stringify(x.shape)}`);
  if (b && b.shape[0] !== w.shape[1]) throw new ConfigError('dense.b', b.shape, `expected [${w.shape[1]}]`);
  if (!b) return tf.matMul(x, w);
  return tf.tidy(() => tf.add(tf.matMul(x, w), b));
}
