/**
 * The weight-sharing supernet of the mbconv space: one set of max-size weights; any subnet runs by
 * slicing them (elastic.ts). The architecture is an argument of `forward`, never state, so several
 * callers can score different subnets on one supernet concurrently.
 *
 * Layer naming follows `layers(arch)` (stem, stageS.blockB.{expand,depthwise,project}, head, fc), so
 * per-layer figures from the cost models and the supernet line up.
 */
import { tf } from '../runtime/tf.ts';
// The supernet's numerics include our wasm kernels (e.g. the depthwise forward pass, whose summation
// order differs from XNNPACK's in the last bits): loading them here, not in whichever module happens
// to be imported first, makes every process and worker thread score a subnet identically.
import type { Rng } from '../core/rng.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import type { MbconvConfig } from '../search-space/mbconv-config.ts';
import { type BnMode, type CalibrationSink, CLIP_RATIOS, elasticBatchNorm, elasticDepthwiseKernel, QAT_MAX_BITS, sliceChannels } from './elastic.ts';
import { ParamStore } from './params.ts';
import { type ActiveBlock, maxBlocks, maxHeadIn, maxKernel, subnetPlan } from './plan.ts';
import { DEPTHWISE_CHANNEL_AXIS, fakeQuantActivation, fakeQuantSigned, fakeQuantWeights, steQuantActivation, steQuantWeights } from './quantize.ts';
import type { TrainableSupernet } from './sandwich.ts';

export interface SupernetOptions {
  /** OFA's learned kernel transformation between kernel sizes (default on). */
  readonly kernelTransform: boolean;
}

const RELU6_MAX = 6;

/** The activation ranges to fake-quantise with, or null when activations stay float in this mode. */
function quantRanges(mode: BnMode): ReadonlyMap<string, number> | null {
  if (mode.kind === 'eval') return (mode.quantizeActivations ?? mode.quantize) ? mode.stats.ranges : null;
  return mode.kind === 'calibrate' ? mode.ranges ?? null : null;
}

/** Weights are fake-quantised (post-training) in this mode. */
function quantizesWeights(mode: BnMode): boolean {
  return (mode.kind === 'eval' && mode.quantize) || (mode.kind === 'calibrate' && mode.ranges !== undefined);
}

/** First calibration pass: activation ranges are being measured. */
function measuresRanges(mode: BnMode): mode is Extract<BnMode, { kind: 'calibrate' }> {
  return mode.kind === 'calibrate' && mode.ranges === undefined;
}

/** Quantisation-aware training applies to this tensor. */
function trainsQuantized(mode: BnMode, bits: number): boolean {
  return mode.kind === 'train' && mode.quantize === true && bits < QAT_MAX_BITS;
}

/** The batch's max of a tensor, the activation range during quantisation-aware training. */
function batchMax(x: tf.Tensor): number {
  return Math.max(tf.tidy(() => tf.max(x).dataSync()[0] as number), 1e-8);
}

/** Images of a calibration batch used for the clipping search: plenty for choosing one of 12 ratios. */
const CLIP_PROBE = 16;

/** Records the max of `magnitude` and, below 8 bits, the error of each clipping ratio on a probe. */
function calibrateRange(
  sink: CalibrationSink, tensor: string, magnitude: tf.Tensor4D, x: tf.Tensor4D, bits: number,
  quantize: (probe: tf.Tensor4D, clip: number) => tf.Tensor4D,
): void {
  const max = tf.max(magnitude) as tf.Scalar;
  sink.range(tensor, max);
  if (bits >= 8) return;
  const m = Math.max(max.dataSync()[0] as number, 1e-8);
  const probe = x.shape[0] > CLIP_PROBE ? tf.slice(x, [0, 0, 0, 0], [CLIP_PROBE, -1, -1, -1]) : x;
  sink.clipError(tensor, tf.stack(CLIP_RATIOS.map((r) => tf.sum(tf.squaredDifference(probe, quantize(probe, m * r))))) as tf.Tensor1D);
}

function rangeOf(ranges: ReadonlyMap<string, number>, tensor: string): number {
  const r = ranges.get(tensor);
  if (r === undefined) throw new Error(`activation range of ${tensor} is missing: recalibrate this subnet first`);
  return Math.max(r, 1e-8);
}

export class MbconvSupernet implements TrainableSupernet<MbconvArch> {
  readonly params = new ParamStore();
  private readonly transforms = new Map<string, Map<number, tf.Tensor2D>>();

  constructor(
    readonly cfg: MbconvConfig,
    rng: Rng,
    readonly options: SupernetOptions = { kernelTransform: true },
  ) {
    const init = rng.fork('supernet-init');
    const p = this.params;
    const kMax = maxKernel(cfg);
    const bn = (name: string, c: number) => {
      p.create(`${name}.bn.gamma`, [c], 'ones', init);
      p.create(`${name}.bn.beta`, [c], 'zeros', init);
    };
    p.create('stem.w', [3, 3, cfg.inputChannels, cfg.stemChannels], 'he', init, 9 * cfg.inputChannels);
    bn('stem', cfg.stemChannels);
    for (const b of maxBlocks(cfg)) {
      p.create(`${b.name}.expand.w`, [1, 1, b.cinMax, b.hiddenMax], 'he', init, b.cinMax);
      bn(`${b.name}.expand`, b.hiddenMax);
      p.create(`${b.name}.depthwise.w`, [kMax, kMax, b.hiddenMax, 1], 'he', init, kMax * kMax);
      bn(`${b.name}.depthwise`, b.hiddenMax);
      const t = new Map<number, tf.Tensor2D>();
      if (options.kernelTransform) {
        for (const k of cfg.kernels.filter((k) => k < kMax)) {
          t.set(k, p.create(`${b.name}.depthwise.t${k}`, [k * k, k * k], 'identity', init) as unknown as tf.Tensor2D);
        }
      }
      this.transforms.set(b.name, t);
      p.create(`${b.name}.project.w`, [1, 1, b.hiddenMax, b.coutMax], 'he', init, b.hiddenMax);
      bn(`${b.name}.project`, b.coutMax);
    }
    const headIn = maxHeadIn(cfg);
    p.create('head.w', [1, 1, headIn, cfg.headChannels], 'he', init, headIn);
    bn('head', cfg.headChannels);
    p.create('fc.w', [cfg.headChannels, cfg.numClasses], { normal: 0.01 }, init);
    p.create('fc.b', [cfg.numClasses], 'zeros', init);
  }

  resolution(arch: MbconvArch): number {
    return arch.resolution;
  }

  /** Logits [batch, classes] of subnet `arch`. Input must already be at arch.resolution. */
  forward(x: tf.Tensor4D, arch: MbconvArch, mode: BnMode): tf.Tensor2D {
    const plan = subnetPlan(this.cfg, arch);
    const fixed = this.cfg.fixedBits;
    return tf.tidy(() => {
      let h = this.conv(x, this.weight('stem.w'), this.cfg.stemStride, fixed, mode);
      h = tf.relu6(elasticBatchNorm(h, this.g('stem'), this.b('stem'), 'stem', mode));
      for (const blk of plan.blocks) h = this.block(h, blk, mode);
      const headW = sliceChannels(this.weight('head.w'), plan.headIn, this.cfg.headChannels);
      h = this.conv(this.quantIn(h, 'head', fixed, mode), headW, 1, fixed, mode);
      h = tf.relu6(elasticBatchNorm(h, this.g('head'), this.b('head'), 'head', mode));
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      const fcW = this.maybeQuantW(this.params.get('fc.w'), fixed, mode);
      return tf.add(tf.matMul(pooled, fcW), this.params.get('fc.b')) as tf.Tensor2D;
    });
  }

  private block(x: tf.Tensor4D, blk: ActiveBlock, mode: BnMode): tf.Tensor4D {
    const n = blk.name;
    const xin = this.quantIn(x, `${n}.expand`, blk.abits, mode);
    const we = sliceChannels(this.weight(`${n}.expand.w`), blk.cin, blk.hidden);
    let h = this.conv(xin, we, 1, blk.wbits, mode);
    h = this.quantRelu6(elasticBatchNorm(h, this.g(`${n}.expand`), this.b(`${n}.expand`), `${n}.expand`, mode), `${n}.expand.out`, blk.abits, mode);
    let wd = elasticDepthwiseKernel(this.weight(`${n}.depthwise.w`), blk.kernel, blk.hidden, this.transforms.get(n) as Map<number, tf.Tensor2D>);
    wd = this.maybeQuantW(wd, blk.wbits, mode, DEPTHWISE_CHANNEL_AXIS);
    h = tf.depthwiseConv2d(h, wd, blk.stride, 'same');
    h = this.quantRelu6(elasticBatchNorm(h, this.g(`${n}.depthwise`), this.b(`${n}.depthwise`), `${n}.depthwise`, mode), `${n}.depthwise.out`, blk.abits, mode);
    const wp = sliceChannels(this.weight(`${n}.project.w`), blk.hidden, blk.cout);
    h = this.conv(h, wp, 1, blk.wbits, mode);
    h = elasticBatchNorm(h, this.g(`${n}.project`), this.b(`${n}.project`), `${n}.project`, mode);
    return blk.residual ? tf.add(h, x) : h;
  }

  private conv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, wbits: number, mode: BnMode): tf.Tensor4D {
    return tf.conv2d(x, this.maybeQuantW(w, wbits, mode), stride, 'same');
  }

  private maybeQuantW<T extends tf.Tensor>(w: T, bits: number, mode: BnMode, channelAxis = w.rank - 1): T {
    if (trainsQuantized(mode, bits)) return steQuantWeights(w, bits, channelAxis);
    return quantizesWeights(mode) ? fakeQuantWeights(w, bits, channelAxis) : w;
  }

  /** Input activation of a conv: range recorded during calibration, signed fake-quantised in eval. */
  private quantIn(x: tf.Tensor4D, layer: string, bits: number, mode: BnMode): tf.Tensor4D {
    const tensor = `${layer}.in`;
    if (measuresRanges(mode)) calibrateRange(mode.sink, tensor, tf.abs(x) as tf.Tensor4D, x, bits, (p, c) => fakeQuantSigned(p, bits, c));
    if (trainsQuantized(mode, bits)) return steQuantActivation(x, bits, batchMax(tf.abs(x)), true);
    const ranges = quantRanges(mode);
    return ranges ? fakeQuantSigned(x, bits, rangeOf(ranges, tensor)) : x;
  }

  /**
   * ReLU6 output, unsigned fake-quantised over [0, calibrated range] rather than the fixed [0, 6].
   * Measured on the smallest subnet (W4A4, 2 epochs): 73.4 % with [0, 6], float 83.6 %; most of the
   * loss was the 4-bit block inputs, whose max-abs range the clipping search now narrows.
   */
  private quantRelu6(x: tf.Tensor4D, tensor: string, bits: number, mode: BnMode): tf.Tensor4D {
    const y = tf.relu6(x);
    if (measuresRanges(mode)) calibrateRange(mode.sink, tensor, y, y, bits, (p, c) => fakeQuantActivation(p, bits, c));
    if (trainsQuantized(mode, bits)) return steQuantActivation(y, bits, batchMax(y), false);
    const ranges = quantRanges(mode);
    return ranges ? fakeQuantActivation(y, bits, Math.min(RELU6_MAX, rangeOf(ranges, tensor))) : y;
  }

  /**
   * The concrete weight tensors of one layer of subnet `arch` (what extraction bakes into a
   * standalone model): sliced, kernel-transformed and optionally fake-quantised exactly as
   * `forward` computes them. The caller disposes the result.
   */
  layerWeight(name: string, plan: { cin: number; cout: number; kernel?: number }, bits: number | undefined): tf.Tensor {
    return tf.tidy(() => {
      let w: tf.Tensor;
      const blockName = name.replace(/\.depthwise$/, '');
      if (name.endsWith('.depthwise')) {
        w = elasticDepthwiseKernel(this.weight(`${name}.w`), plan.kernel ?? maxKernel(this.cfg), plan.cout, this.transforms.get(blockName) as Map<number, tf.Tensor2D>);
      } else if (name === 'fc') {
        w = this.params.get('fc.w');
      } else {
        w = sliceChannels(this.weight(`${name}.w`), plan.cin, plan.cout);
      }
      const q = bits === undefined ? w : fakeQuantWeights(w, bits, name.endsWith('.depthwise') ? DEPTHWISE_CHANNEL_AXIS : w.rank - 1);
      return q === this.params.get(`${name}.w`) ? tf.clone(q) : q;
    });
  }

  private weight(name: string): tf.Tensor4D {
    return this.params.get(name) as unknown as tf.Tensor4D;
  }

  private g(layer: string): tf.Tensor1D {
    return this.params.get(`${layer}.bn.gamma`) as unknown as tf.Tensor1D;
  }

  private b(layer: string): tf.Tensor1D {
    return this.params.get(`${layer}.bn.beta`) as unknown as tf.Tensor1D;
  }

  dispose(): void {
    this.params.dispose();
  }
}
