/**
 * tfjs LayersModel → ONNX (opset 13) bytes. The graph keeps the tfjs interface: inputs and outputs
 * are NHWC/flat exactly as `model.predict` takes and returns them, so the same data runs in both;
 * inside, spatial ops run NCHW with Transposes inserted only where the layout has to change.
 * Walks the model's symbolic graph from its outputs, so Sequential and functional models (residual
 * adds, shared inputs) convert alike. A layer class without a converter is a ConfigError naming it.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.ts';
import { OnnxGraph } from './graph.ts';
import type { Value } from './graph.ts';
import { BUILTIN_CONVERTERS } from './layers.ts';
import type { ConvertContext, LayerConverter, LayerWeight } from './layers.ts';
import { IR_VERSION, ONNX_FLOAT, encodeModel } from './schema.ts';
import type { ValueInfoMsg } from './schema.ts';

export const ONNX_OPSET = 13;

export interface OnnxExportOptions {
  /** Graph name written into the model (default: the tfjs model's name). */
  readonly graphName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** Free-form key/value pairs stored as ModelProto.metadata_props (e.g. arch key, provenance). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra converters by tfjs class name (custom layers); they take precedence over the built-ins. */
  readonly converters?: Readonly<Record<string, LayerConverter>>;
}

const registered = new Map<string, LayerConverter>();

/** Lets the owner of a custom tfjs layer class teach the exporter how to write it. */
export function registerOnnxConverter(className: string, converter: LayerConverter): void {
  registered.set(className, converter);
}

export function supportedLayerClasses(): string[] {
  return [...new Set([...Object.keys(BUILTIN_CONVERTERS), ...registered.keys()])].sort();
}

type Sym = tfl.SymbolicTensor;

function valueInfo(name: string, shape: readonly (number | null)[]): ValueInfoMsg {
  const dim = shape.map((d, i) => (d === null || d < 0 ? { dimParam: i === 0 ? 'N' : `d${i}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim } } } };
}

function weightsOf(layer: tfl.layers.Layer): Map<string, LayerWeight> {
  const vars = layer.weights;
  const values = layer.getWeights();
  const map = new Map<string, LayerWeight>();
  vars.forEach((v, i) => {
    const t = values[i];
    if (!t) return;
    const suffix = v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
    map.set(suffix, { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) });
  });
  return map;
}

export function tfjsToOnnx(model: tfl.LayersModel, opts: OnnxExportOptions = {}): Uint8Array {
  const g = new OnnxGraph();
  const memo = new Map<number, Value>();
  const inputs: ValueInfoMsg[] = [];
  const converters = (cls: string): LayerConverter | undefined => opts.converters?.[cls] ?? registered.get(cls) ?? BUILTIN_CONVERTERS[cls];

  for (const t of model.inputs) {
    const name = g.reserve(t.sourceLayer.name);
    inputs.push(valueInfo(name, t.shape));
    memo.set(t.id, { name, layout: 'tf', shape: t.shape });
  }

  // Iterative post-order walk: deep residual chains must not overflow the JS stack.
  const resolve = (root: Sym): Value => {
    const stack: Sym[] = [root];
    while (stack.length > 0) {
      const t = stack[stack.length - 1] as Sym;
      if (memo.has(t.id)) {
        stack.pop();
        continue;
      }
      const layer = t.sourceLayer;
      const node = layer.inboundNodes[t.nodeIndex];
      if (!node) throw new ConfigError(`model.layers.${layer.name}`, layer.getClassName(), 'has no inbound node for this tensor');
      const pending = node.inputTensors.filter((x) => !memo.has(x.id));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      memo.set(t.id, convertLayer(layer, node.inputTensors.map((x) => memo.get(x.id) as Value), t, node.outputTensors.length));
    }
    return memo.get(root.id) as Value;
  };

  const convertLayer = (layer: tfl.layers.Layer, ins: Value[], t: Sym, nOutputs: number): Value => {
    const cls = layer.getClassName();
    const field = `model.layers.${layer.name}`;
    const fail = (problem: string): never => {
      throw new ConfigError(field, cls, `${cls} layer "${layer.name}" ${problem}`);
    };
    const converter = converters(cls);
    if (!converter) fail(`is not supported by the ONNX exporter; supported classes: ${supportedLayerClasses().join(', ')}`);
    if (nOutputs !== 1) fail('has several outputs, which the ONNX exporter does not support');
    if (ins.length === 0) fail('has no inputs');
    let weights: Map<string, LayerWeight> | undefined;
    const ctx: ConvertContext = {
      g,
      className: cls,
      name: layer.name,
      config: layer.getConfig() as Record<string, unknown>,
      inputs: ins,
      outputShape: t.shape,
      weight: (suffix) => (weights ??= weightsOf(layer)).get(suffix),
      fail,
    };
    return (converter as LayerConverter)(ctx);
  };

  const outputs: ValueInfoMsg[] = model.outputs.map((t) => {
    const v = g.as(resolve(t), 'tf');
    // An Identity gives each output the tfjs output layer's name, even when it is a graph input.
    const name = g.node('Identity', [v.name], t.sourceLayer.name);
    return valueInfo(name, t.shape);
  });

  const metadata = Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value }));
  return encodeModel({
    irVersion: IR_VERSION,
    producerName: 'nas-codesign',
    producerVersion: opts.producerVersion ?? '0.1.0',
    ...(opts.docString ? { docString: opts.docString } : {}),
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: { name: opts.graphName ?? model.name, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
    ...(metadata.length > 0 ? { metadataProps: metadata } : {}),
  });
}
