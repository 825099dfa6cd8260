/**
 * Activations used by the search space. relu6 has its own backward pass; the others use tfjs's
 * registered op gradients.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';

export const ACTIVATIONS = ['relu', 'relu6', 'hswish'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function relu<T extends tf.Tensor>(x: T): T {
  return tf.relu(x);
}

/**
 * relu6 with the mask built from the saved output: 0 < y < 6 ⇔ y·(6 − y) > 0, so dx = dy·step(y·(6 − y))
 * is four float kernels where tfjs's gradient runs LessEqual, Cast, Step and two products (LessEqual
 * and Cast are among the slowest wasm kernels: a bool tensor round trip).
 */
const relu6WithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.relu6(x);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const ys = saved[0]!;
      return tf.mul(dy, tf.step(tf.mul(ys, tf.sub(6, ys))));
    },
  };
});

export function relu6<T extends tf.Tensor>(x: T): T {
  return relu6WithGrad(x) as T;
}

/** Hard-swish (MobileNetV3): x · relu6(x + 3) / 6. */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.mul(tf.relu6(tf.add(x, 3)), 1 / 6)) as T);
}

export function activate<T extends tf.Tensor>(x: T, kind: Activation): T {
  switch (kind) {
    case 'relu': return relu(x);
    case 'relu6': return relu6(x);
    case 'hswish': return hardSwish(x);
    default: throw new ConfigError('activation', kind, `choose one of ${ACTIVATIONS.join(', ')}`);
  }
}
