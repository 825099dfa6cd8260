/**
 * Subnet extraction (issue 3 item 5): one architecture of the supernet becomes a standalone
 * TF.js LayersModel — plain Conv2D / DepthwiseConv2D / BatchNormalization / ReLU(6) / Add /
 * GlobalAveragePooling2D / Dense layers with the sliced, kernel-transformed weights, the subnet's
 * recalibrated BN statistics and (by default) its weights fake-quantised to the arch's bits, ready
 * for export/. Activation quantisation is not a standard layer: the per-tensor activation ranges and
 * bits go into the model's user metadata for an int8 converter instead.
 *
 * This is the one module of supernet/ that needs tfjs-layers' model API; runtime/tf.ts loads
 * the same package (one tfjs-core instance), it only does not re-export it.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../runtime/tf.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { BN_EPSILON, type SubnetStats } from './elastic.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import { subnetPlan } from './plan.ts';

export interface ExtractOptions {
  /** Bake the arch's weight bits in as fake-quantised float weights (default true). */
  readonly quantizeWeights?: boolean;
}

type SymbolicTensor = tfl.SymbolicTensor;

export function extractSubnet(net: MbconvSupernet, arch: MbconvArch, stats: SubnetStats, opts: ExtractOptions = {}): tfl.LayersModel {
  const quant = opts.quantizeWeights ?? true;
  const cfg = net.cfg;
  const plan = subnetPlan(cfg, arch);
  const pending: { layer: tfl.layers.Layer; weights: tf.Tensor[] }[] = [];
  const bnParam = (layer: string, c: number, which: 'gamma' | 'beta') => tf.slice(net.params.get(`${layer}.bn.${which}`), [0], [c]);

  const conv = (x: SymbolicTensor, name: string, cin: number, cout: number, stride: number, kernel: number, bits: number): SymbolicTensor => {
    const layer = tfl.layers.conv2d({ name: `${name}.conv`, filters: cout, kernelSize: kernel, strides: stride, padding: 'same', useBias: false });
    pending.push({ layer, weights: [net.layerWeight(name, { cin, cout }, quant ? bits : undefined)] });
    return layer.apply(x) as SymbolicTensor;
  };
  const depthwise = (x: SymbolicTensor, name: string, channels: number, kernel: number, stride: number, bits: number): SymbolicTensor => {
    const layer = tfl.layers.depthwiseConv2d({ name: `${name}.conv`, kernelSize: kernel, strides: stride, padding: 'same', depthMultiplier: 1, useBias: false });
    pending.push({ layer, weights: [net.layerWeight(name, { cin: channels, cout: channels, kernel }, quant ? bits : undefined)] });
    return layer.apply(x) as SymbolicTensor;
  };
  const bn = (x: SymbolicTensor, name: string, c: number, relu: boolean): SymbolicTensor => {
    const s = stats.bn.get(name);
    if (!s) throw new Error(`batch-norm statistics for layer ${name} are missing: recalibrate this subnet first`);
    const layer = tfl.layers.batchNormalization({ name: `${name}.bn`, axis: -1, epsilon: BN_EPSILON });
    pending.push({ layer, weights: [bnParam(name, c, 'gamma'), bnParam(name, c, 'beta'), tf.tensor1d(s.mean), tf.tensor1d(s.variance)] });
    const y = layer.apply(x) as SymbolicTensor;
    return relu ? (tfl.layers.reLU({ name: `${name}.relu6`, maxValue: 6 }).apply(y) as SymbolicTensor) : y;
  };

  const fixed = cfg.fixedBits;
  const input = tfl.input({ shape: [arch.resolution, arch.resolution, cfg.inputChannels], name: 'image' });
  let h = bn(conv(input, 'stem', cfg.inputChannels, cfg.stemChannels, cfg.stemStride, 3, fixed), 'stem', cfg.stemChannels, true);
  for (const b of plan.blocks) {
    const x = h;
    let y = bn(conv(x, `${b.name}.expand`, b.cin, b.hidden, 1, 1, b.wbits), `${b.name}.expand`, b.hidden, true);
    y = bn(depthwise(y, `${b.name}.depthwise`, b.hidden, b.kernel, b.stride, b.wbits), `${b.name}.depthwise`, b.hidden, true);
    y = bn(conv(y, `${b.name}.project`, b.hidden, b.cout, 1, 1, b.wbits), `${b.name}.project`, b.cout, false);
    h = b.residual ? (tfl.layers.add({ name: `${b.name}.add` }).apply([y, x]) as SymbolicTensor) : y;
  }
  h = bn(conv(h, 'head', plan.headIn, cfg.headChannels, 1, 1, fixed), 'head', cfg.headChannels, true);
  h = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as SymbolicTensor;
  const fc = tfl.layers.dense({ name: 'fc', units: cfg.numClasses, useBias: true });
  pending.push({ layer: fc, weights: [net.layerWeight('fc', { cin: cfg.headChannels, cout: cfg.numClasses }, quant ? fixed : undefined), tf.clone(net.params.get('fc.b'))] });
  const logits = fc.apply(h) as SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits, name: 'subnet' });
  try {
    for (const p of pending) p.layer.setWeights(p.weights);
  } finally {
    for (const p of pending) tf.dispose(p.weights);
  }
  model.setUserDefinedMetadata({
    arch,
    weightsQuantized: quant,
    activationBits: Object.fromEntries(plan.blocks.map((b) => [b.name, b.abits])),
    activationRanges: Object.fromEntries(stats.ranges),
  });
  return model;
}
