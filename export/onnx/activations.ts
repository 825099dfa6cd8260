/**
 * tfjs activation names → ONNX nodes. Element-wise activations work in either layout; softmax
 * acts on the last tfjs axis, so it asks for the tfjs layout first.
 */
import type { OnnxGraph, Value } from './graph.ts';

export class UnsupportedActivation extends Error {
  constructor(readonly activation: string) {
    super(`activation ${activation}`);
  }
}

function scalar(g: OnnxGraph, base: string, v: number): string {
  return g.floatInit(base, [], new Float32Array([v]));
}

/** y = clip(x, lo, hi); opset 13 takes the bounds as tensor inputs, not attributes. */
export function clip(g: OnnxGraph, x: string, base: string, lo: number, hi: number): string {
  return g.node('Clip', [x, scalar(g, `${base}_min`, lo), scalar(g, `${base}_max`, hi)], base);
}

/** hard-swish(x) = x · relu6(x + 3) / 6 = x · HardSigmoid(x; α = 1/6, β = 0.5) (MobileNetV3). */
export function hardSwish(g: OnnxGraph, x: string, base: string): string {
  const gate = g.node('HardSigmoid', [x], `${base}_gate`, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
  return g.node('Mul', [x, gate], base);
}

export function applyActivation(g: OnnxGraph, v: Value, activation: string, base: string): Value {
  const x = v.name;
  const same = (name: string): Value => ({ name, layout: v.layout, shape: v.shape });
  switch (activation) {
    case 'linear':
      return v;
    case 'relu':
      return same(g.node('Relu', [x], base));
    case 'relu6':
      return same(clip(g, x, base, 0, 6));
    case 'sigmoid':
      return same(g.node('Sigmoid', [x], base));
    case 'tanh':
      return same(g.node('Tanh', [x], base));
    case 'elu':
      return same(g.node('Elu', [x], base, { alpha: { float: 1 } }));
    case 'selu':
      return same(g.node('Selu', [x], base));
    case 'softplus':
      return same(g.node('Softplus', [x], base));
    case 'softsign':
      return same(g.node('Softsign', [x], base));
    case 'hard_sigmoid':
      // tfjs: clip(0.2·x + 0.5, 0, 1)
      return same(g.node('HardSigmoid', [x], base, { alpha: { float: 0.2 }, beta: { float: 0.5 } }));
    case 'swish': {
      const s = g.node('Sigmoid', [x], `${base}_sigmoid`);
      return same(g.node('Mul', [x, s], base));
    }
    case 'hard_swish':
    case 'hardswish':
      return same(hardSwish(g, x, base));
    case 'softmax': {
      const t = v.shape.length === 4 ? g.as(v, 'tf') : v;
      return { name: g.node('Softmax', [t.name], base, { axis: -1 }), layout: 'tf', shape: v.shape };
    }
    default:
      throw new UnsupportedActivation(activation);
  }
}
