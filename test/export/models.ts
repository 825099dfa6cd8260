/**
 * Small tfjs-layers models shaped like extracted MBConv subnets, with every weight set from an Rng
 * (no tf.random), shared by the ONNX and bundle tests.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';

type Sym = tfl.SymbolicTensor;

/** Weightless hard-swish layer, x · relu6(x + 3) / 6, as a subnet extractor might define it. */
export class HardSwish extends tfl.layers.Layer {
  static className = 'HardSwish';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
  }
}
tf.serialization.registerClass(HardSwish);

/** Sets every weight of `model` deterministically; BN variances/gammas stay positive. */
export function seedWeights(model: tfl.LayersModel, seed: string): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const vars = layer.weights;
    if (vars.length === 0) continue;
    const values = vars.map((v) => {
      const shape = v.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const name = v.originalName;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (name.endsWith('moving_variance') || name.endsWith('gamma')) data[i] = rng.uniform(0.5, 1.5);
        else if (name.endsWith('moving_mean') || name.endsWith('beta') || name.endsWith('bias')) data[i] = rng.uniform(-0.3, 0.3);
        else data[i] = rng.normal(0, 0.35);
      }
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

export function randomInput(shape: readonly number[], seed: string): Float32Array {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

export type Act = 'relu6' | 'hswish' | 'relu';

function act(x: Sym, kind: Act): Sym {
  if (kind === 'hswish') return new HardSwish({}).apply(x) as Sym;
  if (kind === 'relu6') return tfl.layers.reLU({ maxValue: 6 }).apply(x) as Sym;
  return tfl.layers.activation({ activation: 'relu' }).apply(x) as Sym;
}

export interface BlockSpec {
  readonly kernel: 3 | 5 | 7;
  readonly expand: number;
  readonly out: number;
  readonly stride: 1 | 2;
  readonly act: Act;
}

/** MBConv: 1×1 expand → BN → act → k×k depthwise → BN → act → 1×1 project → BN (+ residual). */
function mbconv(x: Sym, b: BlockSpec): Sym {
  const cin = x.shape[3] as number;
  let y = tfl.layers.conv2d({ filters: cin * b.expand, kernelSize: 1, useBias: false }).apply(x) as Sym;
  y = act(tfl.layers.batchNormalization({}).apply(y) as Sym, b.act);
  y = tfl.layers.depthwiseConv2d({ kernelSize: b.kernel, strides: b.stride, padding: 'same', useBias: false }).apply(y) as Sym;
  y = act(tfl.layers.batchNormalization({}).apply(y) as Sym, b.act);
  y = tfl.layers.conv2d({ filters: b.out, kernelSize: 1, useBias: false }).apply(y) as Sym;
  y = tfl.layers.batchNormalization({}).apply(y) as Sym;
  return b.stride === 1 && cin === b.out ? (tfl.layers.add().apply([x, y]) as Sym) : y;
}

export interface NetSpec {
  readonly size: number;
  readonly channels: number;
  readonly stem: { readonly filters: number; readonly kernel: number; readonly stride: 1 | 2; readonly act: Act };
  readonly blocks: readonly BlockSpec[];
  readonly head: number;
  readonly classes: number;
  /** 'gap' = GlobalAveragePooling2D → Dense; 'flatten' = Flatten → Dense (checks NHWC element order). */
  readonly pool: 'gap' | 'flatten';
  /** Final activation; logits (linear) keep the comparison sensitive, softmax squashes errors. */
  readonly final?: 'linear' | 'softmax';
}

export function buildNet(spec: NetSpec, seed: string): tfl.LayersModel {
  const inp = tfl.input({ shape: [spec.size, spec.size, spec.channels] });
  let x = tfl.layers
    .conv2d({ filters: spec.stem.filters, kernelSize: spec.stem.kernel, strides: spec.stem.stride, padding: 'same', useBias: true })
    .apply(inp) as Sym;
  x = act(x, spec.stem.act);
  for (const b of spec.blocks) x = mbconv(x, b);
  x = tfl.layers.conv2d({ filters: spec.head, kernelSize: 1, activation: 'relu6' }).apply(x) as Sym;
  x = (spec.pool === 'gap' ? tfl.layers.globalAveragePooling2d({}) : tfl.layers.flatten()).apply(x) as Sym;
  const out = tfl.layers.dense({ units: spec.classes, activation: spec.final ?? 'linear' }).apply(x) as Sym;
  const model = tfl.model({ inputs: inp, outputs: out });
  seedWeights(model, seed);
  return model;
}
