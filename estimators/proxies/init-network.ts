/**
 * A network at initialization, built straight from `layers(arch)`, for zero-cost proxies: He-normal
 * weights drawn from our Rng, ReLU after every conv except the last of a unit (linear bottleneck),
 * residual adds where the unit's input and output shapes match, global pooling and a linear head.
 * No batch norm: synflow is defined on the network without it (Tanaka et al. 2020), and NASWOT and
 * grad-norm are computed at initialization where BN would only rescale.
 *
 * Ops come from runtime/ops, which registers the wasm backend's missing gradient kernels.
 */
import { tf } from '../../runtime/tf.ts';
import { conv2d, depthwiseConv2d } from '../../runtime/ops/index.ts';
import type { Rng } from '../../core/rng.ts';
import type { LayerSpec } from '../../core/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { splitUnits } from '../lut/units.ts';

export interface InitNetwork {
  readonly params: readonly tf.Variable[];
  /** Logits, and the pre-activation tensors of every ReLU (for activation patterns). */
  forward(x: tf.Tensor4D, params?: readonly tf.Tensor[]): { logits: tf.Tensor2D; preActivations: tf.Tensor[] };
  dispose(): void;
}

function heNormal(shape: number[], fanIn: number, rng: Rng): tf.Variable {
  const std = Math.sqrt(2 / fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  const t = tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * std), shape);
  const v = tf.variable(t);
  t.dispose();
  return v;
}

export function buildInitNetwork(layers: readonly LayerSpec[], rng: Rng): InitNetwork {
  const units = splitUnits(layers);
  const params: tf.Variable[] = [];
  // For each layer: index of its weight in `params` (or -1 for pooling).
  const slots = units.map((u) =>
    u.layers.map((l) => {
      switch (l.kind) {
        case 'conv':
        case 'pointwise':
          if (l.groups !== 1) throw new ConfigError(`${l.name}.groups`, l.groups, 'grouped convolutions are not supported by the proxy network');
          params.push(heNormal([l.r, l.s, l.c, l.m], l.r * l.s * l.c, rng));
          return params.length - 1;
        case 'depthwise':
          params.push(heNormal([l.r, l.s, l.c, 1], l.r * l.s, rng));
          return params.length - 1;
        case 'fc':
          params.push(heNormal([l.c, l.m], l.c, rng));
          return params.length - 1;
        case 'pool':
          return -1;
      }
    }),
  );
  return {
    params,
    forward(x, override) {
      const w = (i: number) => (override ? override[i] : params[i]) as tf.Tensor;
      const pre: tf.Tensor[] = [];
      let h: tf.Tensor = x;
      units.forEach((u, ui) => {
        const input = h;
        u.layers.forEach((l, li) => {
          const slot = slots[ui]?.[li] ?? -1;
          const last = u.layers.length > 1 && li === u.layers.length - 1;
          if (l.kind === 'pool') {
            h = l.pool === 'max' ? tf.max(h, [1, 2], true) : tf.mean(h, [1, 2], true);
            return;
          }
          if (l.kind === 'fc') {
            h = tf.matMul(tf.reshape(h, [-1, l.c]), w(slot) as tf.Tensor2D);
            return;
          }
          const stride = l.stride as 1 | 2;
          h = l.kind === 'depthwise' ? depthwiseConv2d(h as tf.Tensor4D, w(slot) as tf.Tensor4D, { stride }) : conv2d(h as tf.Tensor4D, w(slot) as tf.Tensor4D, { stride });
          if (!last) {
            pre.push(h);
            h = tf.relu(h);
          }
        });
        if (u.residual) h = tf.add(h, input);
      });
      return { logits: h as tf.Tensor2D, preActivations: pre };
    },
    dispose: () => params.forEach((p) => p.dispose()),
  };
}
