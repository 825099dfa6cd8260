/**
 * One converter per tfjs-layers class. Each receives the layer's config, its resolved input values
 * and weight accessor, and returns the ONNX value of the layer's output. Spatial ops run in NCHW;
 * shape-sensitive ops (Flatten, Reshape, Dense on rank > 2, softmax) run in the tfjs layout so
 * element order matches tfjs exactly.
 */
import { UnsupportedActivation, applyActivation, clip, hardSwish } from './activations.ts';
import type { OnnxGraph, Value } from './graph.ts';
import { onnxPads2D, tfPadding } from './padding.ts';

export interface LayerWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface ConvertContext {
  readonly g: OnnxGraph;
  readonly className: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputs: readonly Value[];
  /** tfjs output shape of this layer (NHWC for rank 4). */
  readonly outputShape: readonly (number | null)[];
  /** The weight whose name ends in `/suffix`, or undefined. */
  weight(suffix: string): LayerWeight | undefined;
  /** Throws the exporter's ConfigError naming this layer. */
  fail(problem: string): never;
}

export type LayerConverter = (ctx: ConvertContext) => Value;

const pair = (v: unknown, what: string, ctx: ConvertContext): [number, number] => {
  const a = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((n) => Number.isInteger(n))) ctx.fail(`${what} must be an integer pair`);
  return [a[0] as number, a[1] as number];
};

function need(ctx: ConvertContext, suffix: string): LayerWeight {
  return ctx.weight(suffix) ?? ctx.fail(`has no weight "${suffix}"`);
}

function requireChannelsLast(ctx: ConvertContext): void {
  const f = ctx.config.dataFormat;
  if (f !== undefined && f !== 'channelsLast') ctx.fail(`dataFormat ${String(f)} is not supported (only channelsLast)`);
}

function activation(ctx: ConvertContext, v: Value): Value {
  const act = ctx.config.activation;
  if (act === undefined || act === null) return v;
  if (typeof act !== 'string') ctx.fail(`activation ${JSON.stringify(act)} is not a built-in name`);
  try {
    return applyActivation(ctx.g, v, act, `${ctx.name}/act`);
  } catch (e) {
    if (e instanceof UnsupportedActivation) return ctx.fail(`activation "${act}" is not supported`);
    throw e;
  }
}

/** Kernel shape, strides, dilations and explicit TF-equivalent pads for a 2-D window op. */
function windowAttrs(ctx: ConvertContext, x: Value, kernel: [number, number], strides: [number, number], dil: [number, number]) {
  const padding = ctx.config.padding ?? 'valid';
  if (padding !== 'same' && padding !== 'valid') ctx.fail(`padding ${String(padding)} is not supported`);
  const h = x.shape[1];
  const w = x.shape[2];
  const attrs: Record<string, number[] | string> = { kernel_shape: kernel, strides };
  if (dil[0] !== 1 || dil[1] !== 1) attrs.dilations = dil;
  if (typeof h === 'number' && typeof w === 'number') {
    attrs.pads = onnxPads2D(tfPadding(h, kernel[0], strides[0], dil[0], padding), tfPadding(w, kernel[1], strides[1], dil[1], padding));
  } else if (padding === 'same') {
    // Unknown spatial size: SAME_UPPER puts the odd pixel at the end, exactly as TF does.
    attrs.auto_pad = 'SAME_UPPER';
  }
  return attrs;
}

/** Rearranges a tfjs conv kernel [kh, kw, a, b] into ONNX [b, a, kh, kw]. */
function oihw(k: LayerWeight): Float32Array {
  const [kh, kw, a, b] = k.shape as [number, number, number, number];
  const out = new Float32Array(k.data.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let p = 0; p < a; p++)
        for (let q = 0; q < b; q++) out[((q * a + p) * kh + i) * kw + j] = k.data[((i * kw + j) * a + p) * b + q] as number;
  return out;
}

/** Depthwise kernel [kh, kw, c, mult] → ONNX grouped kernel [c·mult, 1, kh, kw] (output c·mult + m, as TF orders it). */
function depthwiseOihw(k: LayerWeight): Float32Array {
  const [kh, kw, c, mult] = k.shape as [number, number, number, number];
  const out = new Float32Array(k.data.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ch = 0; ch < c; ch++)
        for (let m = 0; m < mult; m++) out[((ch * mult + m) * kh + i) * kw + j] = k.data[((i * kw + j) * c + ch) * mult + m] as number;
  return out;
}

function out(ctx: ConvertContext, name: string, layout: Value['layout']): Value {
  return { name, layout, shape: ctx.outputShape };
}

function conv(ctx: ConvertContext, depthwise: boolean): Value {
  requireChannelsLast(ctx);
  const x = ctx.g.as(ctx.inputs[0] as Value, 'nchw');
  const k = need(ctx, depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, a, b] = k.shape as [number, number, number, number];
  const attrs = windowAttrs(ctx, x, [kh, kw], pair(ctx.config.strides ?? 1, 'strides', ctx), pair(ctx.config.dilationRate ?? 1, 'dilationRate', ctx));
  const cout = depthwise ? a * b : b;
  const w = ctx.g.floatInit(`${ctx.name}/W`, depthwise ? [cout, 1, kh, kw] : [b, a, kh, kw], depthwise ? depthwiseOihw(k) : oihw(k));
  const inputs = [x.name, w];
  const bias = ctx.config.useBias === false ? undefined : ctx.weight('bias');
  if (bias) inputs.push(ctx.g.floatInit(`${ctx.name}/B`, [cout], bias.data));
  const y = ctx.g.node('Conv', inputs, `${ctx.name}/conv`, { ...attrs, group: depthwise ? a : 1 });
  return activation(ctx, out(ctx, y, 'nchw'));
}

function batchNorm(ctx: ConvertContext): Value {
  const x = ctx.inputs[0] as Value;
  const rank = x.shape.length;
  const axis = Array.isArray(ctx.config.axis) ? ctx.config.axis : [ctx.config.axis ?? -1];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== rank - 1)) ctx.fail(`axis ${JSON.stringify(ctx.config.axis)} is not supported (only the channel axis -1)`);
  const mean = need(ctx, 'moving_mean').data;
  const variance = need(ctx, 'moving_variance').data;
  const c = mean.length;
  const gamma = ctx.config.scale === false ? undefined : ctx.weight('gamma')?.data;
  const beta = ctx.config.center === false ? undefined : ctx.weight('beta')?.data;
  const eps = typeof ctx.config.epsilon === 'number' ? ctx.config.epsilon : 1e-3;
  if (rank === 4 || rank === 2) {
    const v = rank === 4 ? ctx.g.as(x, 'nchw') : x;
    const init = (n: string, d: Float32Array) => ctx.g.floatInit(`${ctx.name}/${n}`, [c], d);
    const y = ctx.g.node(
      'BatchNormalization',
      [v.name, init('scale', gamma ?? new Float32Array(c).fill(1)), init('bias', beta ?? new Float32Array(c)), init('mean', mean), init('var', variance)],
      `${ctx.name}/bn`,
      { epsilon: { float: eps } },
    );
    return out(ctx, y, v.layout);
  }
  // Other ranks: the channel axis is last, so fold into a broadcast y = x·s + t.
  const s = new Float32Array(c);
  const t = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = (gamma?.[i] ?? 1) / Math.sqrt((variance[i] as number) + eps);
    t[i] = (beta?.[i] ?? 0) - (mean[i] as number) * (s[i] as number);
  }
  const m = ctx.g.node('Mul', [x.name, ctx.g.floatInit(`${ctx.name}/s`, [c], s)], `${ctx.name}/mul`);
  return out(ctx, ctx.g.node('Add', [m, ctx.g.floatInit(`${ctx.name}/t`, [c], t)], `${ctx.name}/add`), 'tf');
}

function pool(ctx: ConvertContext, op: 'AveragePool' | 'MaxPool'): Value {
  requireChannelsLast(ctx);
  const x = ctx.g.as(ctx.inputs[0] as Value, 'nchw');
  const size = pair(ctx.config.poolSize ?? 2, 'poolSize', ctx);
  const strides = pair(ctx.config.strides ?? size, 'strides', ctx);
  // TF's average pool divides by the number of real (unpadded) pixels: count_include_pad = 0, ONNX's default.
  return out(ctx, ctx.g.node(op, [x.name], `${ctx.name}/pool`, windowAttrs(ctx, x, size, strides, [1, 1])), 'nchw');
}

function globalPool(ctx: ConvertContext, op: 'GlobalAveragePool' | 'GlobalMaxPool'): Value {
  requireChannelsLast(ctx);
  if (ctx.config.keepDims === true) ctx.fail('keepDims is not supported');
  const x = ctx.g.as(ctx.inputs[0] as Value, 'nchw');
  const p = ctx.g.node(op, [x.name], `${ctx.name}/pool`);
  return out(ctx, ctx.g.node('Flatten', [p], `${ctx.name}/flatten`, { axis: 1 }), 'tf');
}

function dense(ctx: ConvertContext): Value {
  const x = ctx.g.as(ctx.inputs[0] as Value, 'tf');
  const k = need(ctx, 'kernel');
  const w = ctx.g.floatInit(`${ctx.name}/W`, k.shape, k.data);
  const bias = ctx.config.useBias === false ? undefined : ctx.weight('bias');
  const b = bias ? ctx.g.floatInit(`${ctx.name}/B`, bias.shape, bias.data) : undefined;
  let y: string;
  if (x.shape.length === 2) {
    y = ctx.g.node('Gemm', b ? [x.name, w, b] : [x.name, w], `${ctx.name}/gemm`);
  } else {
    const mm = ctx.g.node('MatMul', [x.name, w], `${ctx.name}/matmul`);
    y = b ? ctx.g.node('Add', [mm, b], `${ctx.name}/bias`) : mm;
  }
  return activation(ctx, out(ctx, y, 'tf'));
}

/** Element-wise merges: all inputs share one layout (NCHW if any rank-4 input already is). */
function merge(ctx: ConvertContext, op: 'Add' | 'Mul' | 'Sub' | 'Max' | 'Min' | 'Mean'): Value {
  if (ctx.inputs.length < 2) ctx.fail('needs at least two inputs');
  const layout = ctx.inputs.some((v) => v.layout === 'nchw') && ctx.inputs.every((v) => v.shape.length === 4) ? 'nchw' : 'tf';
  const names = ctx.inputs.map((v) => ctx.g.as(v, layout).name);
  if (op === 'Max' || op === 'Min' || op === 'Mean') return out(ctx, ctx.g.node(op, names, `${ctx.name}/${op.toLowerCase()}`), layout);
  if (op === 'Sub' && names.length !== 2) ctx.fail('Subtract needs exactly two inputs');
  let acc = names[0] as string;
  for (let i = 1; i < names.length; i++) acc = ctx.g.node(op, [acc, names[i] as string], `${ctx.name}/${op.toLowerCase()}`);
  return out(ctx, acc, layout);
}

function concatenate(ctx: ConvertContext): Value {
  const rank = ctx.outputShape.length;
  let axis = typeof ctx.config.axis === 'number' ? ctx.config.axis : -1;
  if (axis < 0) axis += rank;
  const layout = rank === 4 ? 'nchw' : 'tf';
  const onnxAxis = rank === 4 ? ([0, 2, 3, 1][axis] as number) : axis;
  const names = ctx.inputs.map((v) => ctx.g.as(v, layout).name);
  return out(ctx, ctx.g.node('Concat', names, `${ctx.name}/concat`, { axis: onnxAxis }), layout);
}

function reshape(ctx: ConvertContext, target: readonly number[]): Value {
  const x = ctx.g.as(ctx.inputs[0] as Value, 'tf');
  // 0 copies the batch dimension from the input (ONNX Reshape, allowzero = 0).
  const shape = ctx.g.int64Init(`${ctx.name}/shape`, [0, ...target]);
  return out(ctx, ctx.g.node('Reshape', [x.name, shape], `${ctx.name}/reshape`), 'tf');
}

function elementwise(ctx: ConvertContext, f: (x: string, base: string) => string): Value {
  const x = ctx.inputs[0] as Value;
  return { name: f(x.name, `${ctx.name}/out`), layout: x.layout, shape: ctx.outputShape };
}

const num = (ctx: ConvertContext, key: string, dflt: number): number => {
  const v = ctx.config[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number') ctx.fail(`${key} must be a number`);
  return v;
};

export const BUILTIN_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: (ctx) => conv(ctx, false),
  DepthwiseConv2D: (ctx) => {
    const m = num(ctx, 'depthMultiplier', 1);
    if (!Number.isInteger(m) || m < 1) ctx.fail(`depthMultiplier ${m} must be a positive integer`);
    return conv(ctx, true);
  },
  BatchNormalization: batchNorm,
  Activation: (ctx) => activation(ctx, ctx.inputs[0] as Value),
  ReLU: (ctx) => {
    if (ctx.config.maxValue === undefined || ctx.config.maxValue === null) return elementwise(ctx, (x, b) => ctx.g.node('Relu', [x], b));
    const max = num(ctx, 'maxValue', 0);
    return elementwise(ctx, (x, b) => clip(ctx.g, x, b, 0, max));
  },
  LeakyReLU: (ctx) => elementwise(ctx, (x, b) => ctx.g.node('LeakyRelu', [x], b, { alpha: { float: num(ctx, 'alpha', 0.3) } })),
  ELU: (ctx) => elementwise(ctx, (x, b) => ctx.g.node('Elu', [x], b, { alpha: { float: num(ctx, 'alpha', 1) } })),
  Softmax: (ctx) => {
    const axis = ctx.config.axis ?? -1;
    if (axis !== -1 && axis !== ctx.outputShape.length - 1) ctx.fail(`softmax axis ${JSON.stringify(axis)} is not supported (only -1)`);
    return applyActivation(ctx.g, ctx.inputs[0] as Value, 'softmax', `${ctx.name}/softmax`);
  },
  Rescaling: (ctx) =>
    elementwise(ctx, (x, b) => {
      const m = ctx.g.node('Mul', [x, ctx.g.floatInit(`${b}_scale`, [], new Float32Array([num(ctx, 'scale', 1)]))], `${b}_mul`);
      return ctx.g.node('Add', [m, ctx.g.floatInit(`${b}_offset`, [], new Float32Array([num(ctx, 'offset', 0)]))], b);
    }),
  Add: (ctx) => merge(ctx, 'Add'),
  Multiply: (ctx) => merge(ctx, 'Mul'),
  Subtract: (ctx) => merge(ctx, 'Sub'),
  Maximum: (ctx) => merge(ctx, 'Max'),
  Minimum: (ctx) => merge(ctx, 'Min'),
  Average: (ctx) => merge(ctx, 'Mean'),
  Concatenate: concatenate,
  GlobalAveragePooling2D: (ctx) => globalPool(ctx, 'GlobalAveragePool'),
  GlobalMaxPooling2D: (ctx) => globalPool(ctx, 'GlobalMaxPool'),
  AveragePooling2D: (ctx) => pool(ctx, 'AveragePool'),
  MaxPooling2D: (ctx) => pool(ctx, 'MaxPool'),
  Dense: dense,
  Flatten: (ctx) => {
    const x = ctx.inputs[0] as Value;
    if (x.shape.length === 2) return x;
    const t = ctx.g.as(x, 'tf');
    return out(ctx, ctx.g.node('Flatten', [t.name], `${ctx.name}/flatten`, { axis: 1 }), 'tf');
  },
  Reshape: (ctx) => {
    const target = ctx.config.targetShape;
    if (!Array.isArray(target) || !target.every((n) => Number.isInteger(n))) ctx.fail('targetShape must be an integer array');
    return reshape(ctx, target as number[]);
  },
  ZeroPadding2D: (ctx) => {
    requireChannelsLast(ctx);
    const p = ctx.config.padding;
    const [[t, b], [l, r]] = (Array.isArray(p) && Array.isArray(p[0]) ? p : [pair(p, 'padding', ctx), pair(p, 'padding', ctx)]) as [number[], number[]];
    const x = ctx.g.as(ctx.inputs[0] as Value, 'nchw');
    const pads = ctx.g.int64Init(`${ctx.name}/pads`, [0, 0, t ?? 0, l ?? 0, 0, 0, b ?? 0, r ?? 0]);
    return out(ctx, ctx.g.node('Pad', [x.name, pads], `${ctx.name}/pad`), 'nchw');
  },
  Dropout: (ctx) => ctx.inputs[0] as Value,
  SpatialDropout1D: (ctx) => ctx.inputs[0] as Value,
  // Hard-swish as a weightless custom layer (MobileNetV3): x · relu6(x + 3) / 6.
  HardSwish: (ctx) => elementwise(ctx, (x, b) => hardSwish(ctx.g, x, b)),
};
