/**
 * Runs a chain of layers as an inference graph on the active tfjs backend, for latency measurement.
 * It uses the fused kernels an exported TF.js model runs (conv + bias + activation in one op), with
 * batch norm folded into the bias. Activations follow the MBConv convention: ReLU6 after stem,
 * expand, depthwise and head; the project (last layer of a residual/bottleneck unit) and the FC are
 * linear. Weights are random: latency does not depend on their values.
 */
import { tf } from '../../runtime/tf.ts';
import type { Rng } from '../../core/rng.ts';
import type { LayerSpec } from '../../core/types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { LatencyUnit } from './units.ts';

type Op = (x: tf.Tensor) => tf.Tensor;

function randomTensor(shape: number[], rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.uniform(-0.5, 0.5);
  return tf.tensor(v, shape);
}

function layerOp(l: LayerSpec, linear: boolean, rng: Rng, owned: tf.Tensor[]): Op {
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const activation = linear ? 'linear' : 'relu6';
  switch (l.kind) {
    case 'conv':
    case 'pointwise': {
      if (l.groups !== 1) throw new ConfigError(`${l.name}.groups`, l.groups, 'grouped convolutions are not timed by the LUT executor');
      const filter = keep(randomTensor([l.r, l.s, l.c, l.m], rng)) as tf.Tensor4D;
      const bias = keep(randomTensor([l.m], rng));
      return (x) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides: l.stride, pad: l.padding, bias, activation });
    }
    case 'depthwise': {
      const filter = keep(randomTensor([l.r, l.s, l.c, 1], rng)) as tf.Tensor4D;
      const bias = keep(randomTensor([l.m], rng));
      return (x) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter, strides: l.stride, pad: l.padding, bias, activation });
    }
    case 'pool':
      return l.pool === 'max'
        ? (x) => tf.max(x, [1, 2], true)
        : (x) => tf.mean(x, [1, 2], true);
    case 'fc': {
      const w = keep(randomTensor([l.c, l.m], rng)) as tf.Tensor2D;
      const bias = keep(randomTensor([l.m], rng));
      return (x) => tf.fused.matMul({ a: tf.reshape(x, [l.n, l.c]) as tf.Tensor2D, b: w, bias, activation });
    }
  }
}

export interface CompiledChain {
  /** The input shape (NHWC) of the first layer. */
  readonly inputShape: readonly number[];
  /** Runs the chain on `x` inside a tidy and returns the output (caller disposes). */
  run(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** Compiles units (each possibly residual) into one runnable chain with fixed random weights. */
export function compileUnits(units: readonly LatencyUnit[], rng: Rng): CompiledChain {
  const owned: tf.Tensor[] = [];
  const first = units[0]?.layers[0];
  if (!first) throw new ConfigError('units', '[]', 'nothing to run');
  const unitOps = units.map((u) => {
    const ops = u.layers.map((l, i) => layerOp(l, l.kind === 'fc' || (u.layers.length > 1 && i === u.layers.length - 1), rng, owned));
    return (x: tf.Tensor) => {
      const y = ops.reduce((t, op) => op(t), x);
      return u.residual ? tf.add(y, x) : y;
    };
  });
  return {
    inputShape: [first.n, first.h, first.w, first.c],
    run: (x) => tf.tidy(() => unitOps.reduce((t, op) => op(t), x)),
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}

export function randomInput(chain: CompiledChain, rng: Rng): tf.Tensor {
  return randomTensor([...chain.inputShape], rng);
}
