/** Activations used by the search space; gradients come from tfjs's registered op gradients. */
import { tf } from '../tf.ts';
import { ConfigError } from '../errors.ts';

export const ACTIVATIONS = ['relu', 'relu6', 'hswish'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function relu<T extends tf.Tensor>(x: T): T {
  return tf.relu(x);
}

export function relu6<T extends tf.Tensor>(x: T): T {
  return tf.relu6(x);
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
