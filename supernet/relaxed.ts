/**
 * The relaxed ("superkernel") forward of the mbconv supernet for differentiable search: one pass over
 * the max network with the shared weights, where every choice is a weighted mixture —
 * - kernel: the depthwise kernel used is Σ_k g_k · zero-padded(elastic kernel k). Smaller kernels are
 *   centred inside the largest, so the mixture is one k_max conv (Single-Path NAS, Stamoulis et al.
 *   2019, arXiv:1904.02877);
 * - expand ratio and width: channel masks Σ_e g_e · mask_e on the hidden / output channels, applied
 *   after each batch norm (FBNetV2 channel masking, Wan et al. 2020, arXiv:2004.05565 — before BN a
 *   per-channel scale would be normalised away);
 * - depth: stage output = Σ_d g_d · (output after the first d blocks);
 * - bits (when `quantize`): Σ_b g_b · fakeQuant_b(·) with a straight-through gradient (Wu et al. 2018,
 *   "Mixed Precision Quantization of ConvNets via Differentiable NAS", arXiv:1812.00090).
 * Resolution cannot mix inside one pass: the caller feeds `x` at a sampled resolution.
 *
 * Batch norm uses batch statistics (the supernet's 'train' mode), as ProxylessNAS does when updating
 * architecture parameters. With one-hot weights the pass equals `MbconvSupernet.forward(x, arch,
 * {kind: 'train'})`: masked channels are exact zeros and the zero-padded kernel taps multiply nothing.
 */
import { tf } from '../runtime/tf.ts';
import type { MbconvConfig } from '../search-space/mbconv-config.ts';
import { makeDivisible, stageChannels } from '../search-space/mbconv-config.ts';
import { type BnMode, elasticBatchNorm, elasticDepthwiseKernel } from './elastic.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import { type MaxBlock, maxBlocks, maxKernel } from './plan.ts';
import { DEPTHWISE_CHANNEL_AXIS, fakeQuantActivation, fakeQuantSigned, fakeQuantWeights, straightThrough as ste } from './quantize.ts';

/** Positions of the genome genes (mbconv-arch.ts: resolution, per stage depth, width, per block kernel, expand, wbits, abits). */
export interface MbconvGenes {
  readonly count: number;
  readonly resolution: 0;
  depth(stage: number): number;
  width(stage: number): number;
  block(stage: number, block: number, field: 'kernel' | 'expand' | 'wbits' | 'abits'): number;
}

const FIELD = { kernel: 0, expand: 1, wbits: 2, abits: 3 } as const;

export function mbconvGenes(cfg: MbconvConfig): MbconvGenes {
  const per = 2 + cfg.maxDepth * 4;
  return {
    count: 1 + cfg.stages.length * per,
    resolution: 0,
    depth: (s) => 1 + s * per,
    width: (s) => 2 + s * per,
    block: (s, b, f) => 3 + s * per + b * 4 + FIELD[f],
  };
}

export interface RelaxedOptions {
  /** Fake-quantise weights and activations with the bits mixtures (default false: the float network). */
  readonly quantize?: boolean;
}

const TRAIN: BnMode = { kind: 'train' };
const RELU6_MAX = 6;

/** A channel count distribution: counts[i] with weight w[i]. */
interface Mix {
  readonly counts: readonly number[];
  readonly w: tf.Tensor1D;
}

export class RelaxedSupernet {
  readonly cfg: MbconvConfig;
  private readonly consts = new Map<string, tf.Tensor>();
  private readonly transforms = new Map<string, Map<number, tf.Tensor2D>>();
  private readonly blocks: MaxBlock[];
  readonly genes: MbconvGenes;

  constructor(readonly net: MbconvSupernet) {
    this.cfg = net.cfg;
    this.genes = mbconvGenes(this.cfg);
    this.blocks = maxBlocks(this.cfg);
    const names = new Set(net.params.names());
    for (const b of this.blocks) {
      const t = new Map<number, tf.Tensor2D>();
      for (const k of this.cfg.kernels) {
        const name = `${b.name}.depthwise.t${k}`;
        if (names.has(name)) t.set(k, net.params.get(name) as unknown as tf.Tensor2D);
      }
      this.transforms.set(b.name, t);
    }
  }

  /**
   * Logits [batch, classes]. `g[i]` weights the choices of genome gene i (sums to 1; one-hot gives a
   * discrete subnet); g[0] (resolution) is not read: `x` is already at the resolution.
   */
  forward(x: tf.Tensor4D, g: readonly tf.Tensor1D[], opts: RelaxedOptions = {}): tf.Tensor2D {
    const cfg = this.cfg;
    const G = this.genes;
    const quant = opts.quantize ?? false;
    const gene = (i: number) => {
      const t = g[i];
      if (!t) throw new RangeError(`relaxed forward: gene ${i} has no weights (${g.length} given, ${G.count} needed)`);
      return t;
    };
    return tf.tidy(() => {
      const fixed = (w: tf.Tensor) => (quant ? ste(w, (t) => fakeQuantWeights(t, cfg.fixedBits)) : w);
      let h = tf.conv2d(x, fixed(this.param('stem.w')) as tf.Tensor4D, cfg.stemStride, 'same');
      h = tf.relu6(this.bn(h, 'stem'));
      let prev: Mix = { counts: [cfg.stemChannels], w: this.constant('one', () => tf.ones([1])) as tf.Tensor1D };
      cfg.stages.forEach((st, s) => {
        const out: Mix = { counts: cfg.widths.map((w) => stageChannels(cfg, s, w)), w: gene(G.width(s)) };
        const outMask = this.mixMask(out, Math.max(...out.counts));
        const outputs: tf.Tensor4D[] = [];
        let cur = h;
        for (let b = 0; b < cfg.maxDepth; b++) {
          const blk = this.blocks[s * cfg.maxDepth + b] as MaxBlock;
          const bits = { w: gene(G.block(s, b, 'wbits')), a: gene(G.block(s, b, 'abits')) };
          cur = this.block(cur, blk, b === 0 ? prev : out, out, outMask, {
            kernel: gene(G.block(s, b, 'kernel')), expand: gene(G.block(s, b, 'expand')),
            bits: quant ? bits : null, stride: b === 0 ? st.stride : 1,
          });
          outputs.push(cur);
        }
        const depthW = gene(G.depth(s));
        h = cfg.depths.map((d, i) => tf.mul(outputs[d - 1] as tf.Tensor4D, tf.slice(depthW, [i], [1]))).reduce((a, t) => tf.add(a, t)) as tf.Tensor4D;
        prev = out;
      });
      if (quant) h = this.signedQuant(h, [cfg.fixedBits], this.constant('one', () => tf.ones([1])) as tf.Tensor1D);
      const headW = tf.mul(this.param('head.w'), tf.reshape(this.mixMask(prev, h.shape[3]), [1, 1, -1, 1]));
      h = tf.conv2d(h, fixed(headW) as tf.Tensor4D, 1, 'same');
      h = tf.relu6(this.bn(h, 'head'));
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return tf.add(tf.matMul(pooled, fixed(this.param('fc.w')) as tf.Tensor2D), this.param('fc.b')) as tf.Tensor2D;
    });
  }

  private block(
    x: tf.Tensor4D,
    blk: MaxBlock,
    cin: Mix,
    out: Mix,
    outMask: tf.Tensor1D,
    c: { kernel: tf.Tensor1D; expand: tf.Tensor1D; bits: { w: tf.Tensor1D; a: tf.Tensor1D } | null; stride: number },
  ): tf.Tensor4D {
    const cfg = this.cfg;
    const n = blk.name;
    const hidden = this.pairMask(cin, c.expand, blk.hiddenMax);
    const col = (m: tf.Tensor1D) => tf.reshape(m, [1, 1, -1, 1]);
    const qw = (w: tf.Tensor, axis = w.rank - 1) => (c.bits ? this.mixQuant(w, cfg.weightBits, c.bits.w, (t, b) => fakeQuantWeights(t, b, axis)) : w);
    const qa = (y: tf.Tensor) => (c.bits ? this.mixQuant(y, cfg.activationBits, c.bits.a, (t, b) => fakeQuantActivation(t, b, RELU6_MAX)) : y);

    const xin = c.bits ? this.signedQuant(x, cfg.activationBits, c.bits.a) : x;
    const we = qw(tf.mul(this.param(`${n}.expand.w`), col(this.mixMask(cin, blk.cinMax))));
    let h = tf.conv2d(xin, we as tf.Tensor4D, 1, 'same');
    h = tf.mul(qa(tf.relu6(this.bn(h, `${n}.expand`))), hidden) as tf.Tensor4D;

    const kMax = maxKernel(cfg);
    const full = this.param(`${n}.depthwise.w`);
    const transforms = this.transforms.get(n) as Map<number, tf.Tensor2D>;
    const mixed = cfg.kernels
      .map((k, i) => {
        const o = (kMax - k) / 2;
        const kern = tf.pad(elasticDepthwiseKernel(full, k, blk.hiddenMax, transforms), [[o, o], [o, o], [0, 0], [0, 0]]);
        return tf.mul(kern, tf.slice(c.kernel, [i], [1]));
      })
      .reduce((a, t) => tf.add(a, t));
    const wd = qw(tf.mul(mixed, col(hidden)), DEPTHWISE_CHANNEL_AXIS);
    h = tf.depthwiseConv2d(h, wd as tf.Tensor4D, c.stride, 'same');
    h = tf.mul(qa(tf.relu6(this.bn(h, `${n}.depthwise`))), hidden) as tf.Tensor4D;

    const wp = qw(tf.mul(this.param(`${n}.project.w`), col(hidden)));
    h = tf.conv2d(h, wp as tf.Tensor4D, 1, 'same');
    h = tf.mul(this.bn(h, `${n}.project`), outMask) as tf.Tensor4D;
    const r = this.residualWeight(cin, out, c.stride);
    if (!r) return h;
    return tf.add(h, tf.mul(alignChannels(x, blk.coutMax), r)) as tf.Tensor4D;
  }

  /** Probability mass of the (cin, cout) pairs whose block adds its input back (stride 1, cin = cout). */
  private residualWeight(cin: Mix, out: Mix, stride: number): tf.Scalar | null {
    if (stride !== 1) return null;
    const same = cin.counts.flatMap((a) => out.counts.map((b) => (a === b ? 1 : 0)));
    if (!same.some((v) => v === 1)) return null;
    const m = this.constant(`same:${cin.counts}|${out.counts}`, () => tf.tensor1d(same));
    return tf.sum(tf.mul(outer(cin.w, out.w), m)) as tf.Scalar;
  }

  /** Σ_i w_i · [first counts_i channels of `total`]. */
  private mixMask(m: Mix, total: number): tf.Tensor1D {
    const M = this.constant(`prefix:${m.counts}|${total}`, () => prefixMatrix(m.counts, total));
    return tf.reshape(tf.matMul(tf.reshape(m.w, [1, -1]), M as tf.Tensor2D), [total]);
  }

  /** Hidden-channel mask of a block: hidden = makeDivisible(cin × expand) over both mixtures. */
  private pairMask(cin: Mix, expand: tf.Tensor1D, total: number): tf.Tensor1D {
    const counts = cin.counts.flatMap((c) => this.cfg.expands.map((e) => makeDivisible(c * e, this.cfg.channelDivisor)));
    return this.mixMask({ counts, w: outer(cin.w, expand) }, total);
  }

  private mixQuant(x: tf.Tensor, bits: readonly number[], w: tf.Tensor1D, q: (t: tf.Tensor, b: number) => tf.Tensor): tf.Tensor {
    return bits.map((b, i) => tf.mul(ste(x, (t) => q(t, b)), tf.slice(w, [i], [1]))).reduce((a, t) => tf.add(a, t));
  }

  /** Signed input quantisation over the batch's own range (the discrete path uses a calibrated range). */
  private signedQuant(x: tf.Tensor4D, bits: readonly number[], w: tf.Tensor1D): tf.Tensor4D {
    const range = tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0] as number);
    return this.mixQuant(x, bits, w, (t, b) => fakeQuantSigned(t, b, range)) as tf.Tensor4D;
  }

  private bn(h: tf.Tensor4D, layer: string): tf.Tensor4D {
    return elasticBatchNorm(h, this.param(`${layer}.bn.gamma`) as tf.Tensor as tf.Tensor1D, this.param(`${layer}.bn.beta`) as tf.Tensor as tf.Tensor1D, layer, TRAIN);
  }

  private param(name: string): tf.Tensor4D {
    return this.net.params.get(name) as unknown as tf.Tensor4D;
  }

  /** Constant tensors built once and kept outside any tidy scope. */
  private constant(key: string, make: () => tf.Tensor): tf.Tensor {
    let t = this.consts.get(key);
    if (!t) {
      t = tf.keep(make());
      this.consts.set(key, t);
    }
    return t;
  }

  /** Frees the cached constants (the supernet's weights stay with the supernet). */
  dispose(): void {
    for (const t of this.consts.values()) t.dispose();
    this.consts.clear();
  }
}

function outer(a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.reshape(tf.mul(tf.reshape(a, [-1, 1]), tf.reshape(b, [1, -1])), [-1]);
}

function prefixMatrix(counts: readonly number[], total: number): tf.Tensor2D {
  const v = new Float32Array(counts.length * total);
  counts.forEach((c, i) => v.fill(1, i * total, i * total + Math.min(c, total)));
  return tf.tensor2d(v, [counts.length, total]);
}

/** x with its channel axis cut or zero-padded to `c` (a residual between stages of different max widths). */
function alignChannels(x: tf.Tensor4D, c: number): tf.Tensor4D {
  const have = x.shape[3];
  if (have === c) return x;
  if (have > c) return tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, c]);
  return tf.pad(x, [[0, 0], [0, 0], [0, 0], [0, c - have]]);
}
