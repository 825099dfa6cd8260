import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as tfl from '@tensorflow/tfjs-layers';
import { initTf, tf } from '../../runtime/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { registerOnnxConverter, tfjsToOnnx } from '../../export/onnx/convert.ts';
import { tfPadding } from '../../export/onnx/padding.ts';
import { onnxType } from '../../export/onnx/schema.ts';
import { buildNet, randomInput, seedWeights } from './models.ts';
import type { NetSpec } from './models.ts';

type Sym = tfl.SymbolicTensor;
const diffs: Record<string, number> = {};

beforeAll(async () => {
  await initTf();
});
afterAll(() => {
  console.log('max |onnx - tfjs| / max(1,|tfjs|):', JSON.stringify(diffs));
});

/** Runs the exported model in onnxruntime and tfjs on the same NHWC batch; returns the max scaled difference. */
async function compare(model: tfl.LayersModel, label: string, batch = 2): Promise<number> {
  const before = tf.memory().numTensors;
  const bytes = tfjsToOnnx(model);
  expect(tf.memory().numTensors).toBe(before);
  const shape = [batch, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const data = randomInput(shape, `${label}/input`);
  const ref = tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).dataSync() as Float32Array);
  const session = await ort.InferenceSession.create(bytes);
  const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, shape) });
  const got = res[session.outputNames[0]!]!;
  expect(got.dims).toEqual([batch, ...(model.outputs[0]!.shape.slice(1) as number[])]);
  const out = got.data as Float32Array;
  expect(out.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((out[i] as number) - (ref[i] as number)) / Math.max(1, Math.abs(ref[i] as number)));
  diffs[label] = worst;
  await session.release();
  return worst;
}

const base: Omit<NetSpec, 'size' | 'blocks'> = {
  channels: 1,
  stem: { filters: 8, kernel: 3, stride: 2, act: 'relu6' },
  head: 24,
  classes: 10,
  pool: 'gap',
};

describe('tfPadding reproduces TensorFlow "same"', () => {
  it('is symmetric for odd totals only at the end (bottom/right gets the extra pixel)', () => {
    expect(tfPadding(16, 3, 2, 1, 'same')).toEqual({ before: 0, after: 1, out: 8 });
    expect(tfPadding(15, 3, 2, 1, 'same')).toEqual({ before: 1, after: 1, out: 8 });
    expect(tfPadding(14, 7, 2, 1, 'same')).toEqual({ before: 2, after: 3, out: 7 });
    expect(tfPadding(9, 5, 1, 1, 'same')).toEqual({ before: 2, after: 2, out: 9 });
    expect(tfPadding(9, 3, 1, 2, 'same')).toEqual({ before: 2, after: 2, out: 9 });
    expect(tfPadding(9, 3, 2, 1, 'valid')).toEqual({ before: 0, after: 0, out: 4 });
  });
});

describe('tfjsToOnnx matches tfjs predict in onnxruntime-node (1e-4)', () => {
  it('odd input, stride-2 stem, kernels 3/5/7, residual, BN, relu6, GAP → dense', async () => {
    const model = buildNet(
      {
        ...base,
        size: 15,
        blocks: [
          { kernel: 3, expand: 2, out: 8, stride: 1, act: 'relu6' },
          { kernel: 5, expand: 4, out: 12, stride: 2, act: 'relu6' },
          { kernel: 7, expand: 3, out: 12, stride: 1, act: 'relu6' },
        ],
      },
      'net-a',
    );
    expect(await compare(model, 'odd15_k357_relu6')).toBeLessThan(1e-4);
  });

  it('even input, stride-2 depthwise 5 and 7, hard-swish, flatten → dense', async () => {
    const model = buildNet(
      {
        ...base,
        size: 16,
        channels: 3,
        stem: { filters: 8, kernel: 5, stride: 1, act: 'hswish' },
        blocks: [
          { kernel: 5, expand: 2, out: 8, stride: 2, act: 'hswish' },
          { kernel: 7, expand: 2, out: 8, stride: 1, act: 'hswish' },
          { kernel: 7, expand: 2, out: 16, stride: 2, act: 'relu' },
        ],
        pool: 'flatten',
      },
      'net-b',
    );
    expect(await compare(model, 'even16_k57_hswish_flatten')).toBeLessThan(1e-4);
  });

  it('odd input with stride 2 twice (9 → 5 → 3)', async () => {
    const model = buildNet(
      {
        ...base,
        size: 9,
        stem: { filters: 4, kernel: 7, stride: 2, act: 'relu' },
        blocks: [{ kernel: 3, expand: 6, out: 8, stride: 2, act: 'relu6' }],
        pool: 'flatten',
      },
      'net-c',
    );
    expect(await compare(model, 'odd9_stride2x2')).toBeLessThan(1e-4);
  });

  it('sequential: zero padding, depth multiplier 2, dilation, valid conv, pools, reshape, BN on rank 3 (folded), dense, softmax', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.zeroPadding2d({ inputShape: [10, 11, 2], padding: [[1, 2], [0, 1]] }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu' }),
        tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        // 13×12 → dw s2 → 7×6 (×4) → dilated same → 7×6 → valid 3×3 → 5×4 → pool s2 → 3×2 → pool s2 → 2×1, ×6 channels.
        tfl.layers.reshape({ targetShape: [2, 6] }),
        tfl.layers.batchNormalization({}),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 5, activation: 'tanh' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 'net-d');
    expect(await compare(model, 'sequential_pad_pool_reshape', 3)).toBeLessThan(1e-4);
  });

  it('writes opset 13, IR 7, depthwise as grouped Conv and explicit asymmetric pads', () => {
    const model = buildNet({ ...base, size: 16, blocks: [{ kernel: 3, expand: 2, out: 8, stride: 2, act: 'relu6' }] }, 'net-e');
    const decoded = onnxType('ModelProto').toObject(onnxType('ModelProto').decode(tfjsToOnnx(model)), { longs: Number }) as {
      irVersion: number;
      opsetImport: Array<{ version: number }>;
      graph: { node: Array<{ opType: string; attribute?: Array<{ name: string; i?: number; ints?: number[] }> }> };
    };
    expect(decoded.irVersion).toBe(7);
    expect(decoded.opsetImport[0]!.version).toBe(13);
    const convs = decoded.graph.node.filter((n) => n.opType === 'Conv');
    const grouped = convs.filter((n) => n.attribute?.some((a) => a.name === 'group' && a.i === 16));
    expect(grouped).toHaveLength(1);
    // 16 → 8 with k3 s2: TF pads 0 before, 1 after.
    expect(grouped[0]!.attribute!.find((a) => a.name === 'pads')!.ints).toEqual([0, 0, 1, 1]);
    expect(decoded.graph.node.filter((n) => n.opType === 'Clip').length).toBeGreaterThan(0);
    expect(decoded.graph.node.filter((n) => n.opType === 'Transpose')).toHaveLength(1);
  });
});

describe('tfjsToOnnx rejects what it cannot convert', () => {
  it('names the unsupported layer class and name', () => {
    const inp = tfl.input({ shape: [4, 4, 2] });
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'my_upsample' }).apply(inp) as Sym;
    const model = tfl.model({ inputs: inp, outputs: up });
    expect(() => tfjsToOnnx(model)).toThrow(ConfigError);
    expect(() => tfjsToOnnx(model)).toThrow(/UpSampling2D layer "my_upsample" is not supported/);
  });

  it('names the layer with an unsupported activation', () => {
    const inp = tfl.input({ shape: [4, 4, 2] });
    const c = tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'gelu' as 'relu', name: 'c_gelu' }).apply(inp) as Sym;
    expect(() => tfjsToOnnx(tfl.model({ inputs: inp, outputs: c }))).toThrow(/Conv2D layer "c_gelu" activation "gelu" is not supported/);
  });

  it('converts a custom layer class once its owner registers a converter', async () => {
    class TimesThree extends tfl.layers.Layer {
      static className = 'TimesThreeForTest';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, 3);
      }
    }
    const inp = tfl.input({ shape: [5, 5, 2] });
    const c = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(inp) as Sym;
    const t = new TimesThree({ name: 'x3' }).apply(c) as Sym;
    const model = tfl.model({ inputs: inp, outputs: t });
    seedWeights(model, 'net-f');
    expect(() => tfjsToOnnx(model)).toThrow(/TimesThreeForTest layer "x3" is not supported/);
    registerOnnxConverter('TimesThreeForTest', (ctx) => {
      const x = ctx.inputs[0]!;
      const k = ctx.g.floatInit(`${ctx.name}/k`, [], new Float32Array([3]));
      return { name: ctx.g.node('Mul', [x.name, k], `${ctx.name}/mul`), layout: x.layout, shape: ctx.outputShape };
    });
    expect(await compare(model, 'custom_registered')).toBeLessThan(1e-4);
  });
});
