/**
 * Scoring a subnet with inherited weights (DESIGN.md §4, issue 3 item 4): recalibrate batch-norm
 * statistics and activation ranges of that subnet on calibration images from the train split
 * (Once-for-All: a shared supernet's BN statistics are meaningless for any one subnet), then measure
 * accuracy on the validation split with the arch's weight/activation bits applied as post-training
 * fake quantisation. Estimators and strategies call `evaluateSubnet` directly.
 */
import { tf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { ConfigError } from '../core/errors.ts';
import type { ImageDataset } from '../datasets/types.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { batchPixels, batchTensor, labelTensor, type Normalisation } from './batches.ts';
import { CLIP_RATIOS, type BnStats, type CalibrationSink, type SubnetStats } from './elastic.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import { countCorrect } from './sandwich.ts';

export interface EvalData {
  /** Calibration images are drawn from here (never from val or test). */
  readonly train: ImageDataset;
  /** Accuracy is measured here. */
  readonly val: ImageDataset;
  /** The normalisation the supernet was trained with (stored in its checkpoint). */
  readonly norm: Normalisation;
}

export interface EvalOptions {
  /** Calibration images (default 512; OFA uses 2,000 on ImageNet). */
  readonly calibImages?: number;
  /** Validation images scored (default: the whole split). */
  readonly valLimit?: number;
  readonly batchSize?: number;
  /** Apply the arch's bits as fake quantisation (default true); false scores the float subnet. */
  readonly quantize?: boolean;
  /** Picks the calibration images; the same seed gives every subnet the same images. */
  readonly seed?: string | number;
  /** Also return which validation images were classified correctly (`SubnetScore.hits`). */
  readonly perImage?: boolean;
}

export interface SubnetScore {
  /** Fraction of validation images classified correctly, in [0, 1]. */
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly quantized: boolean;
  readonly seconds: number;
  /**
   * With `perImage`: 1 where validation image i was classified correctly. Lets a caller score any
   * subset of the images afterwards (split halves, bootstrap resamples) without running the subnet again.
   */
  readonly hits?: Uint8Array;
}

const DEFAULTS = { calibImages: 512, batchSize: 128, quantize: true, seed: 'calibration' } as const;

function positive(field: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x <= 0) throw new ConfigError(field, v, 'must be a positive integer');
  return x;
}

/** Indices of the calibration images: a seeded sample, identical for every subnet. */
export function calibrationIndices(train: ImageDataset, count: number, seed: string | number): number[] {
  return new Rng(seed).sampleIndices(train.n, Math.min(count, train.n));
}

/**
 * BN moments averaged over calibration batches (OFA's set_running_statistics) and activation ranges:
 * the max |x|, times the MSE-optimal clipping ratio for tensors quantised below 8 bits. With
 * `quantize` (the default) a second pass measures the BN moments of the fake-quantised subnet.
 */
export function calibrateSubnet(
  net: MbconvSupernet,
  arch: MbconvArch,
  data: Pick<EvalData, 'train' | 'norm'>,
  opts: EvalOptions = {},
): SubnetStats {
  const batch = positive('batchSize', opts.batchSize, DEFAULTS.batchSize);
  const idx = calibrationIndices(data.train, positive('calibImages', opts.calibImages, DEFAULTS.calibImages), opts.seed ?? DEFAULTS.seed);
  const sums = new Map<string, { mean: Float64Array; variance: Float64Array; weight: number }>();
  const ranges = new Map<string, number>();
  const clipErrors = new Map<string, Float64Array>();
  let weight = 0;
  const sink: CalibrationSink = {
    bn(layer, mean, variance) {
      const m = mean.dataSync();
      const v = variance.dataSync();
      let s = sums.get(layer);
      if (!s) sums.set(layer, (s = { mean: new Float64Array(m.length), variance: new Float64Array(m.length), weight: 0 }));
      for (let i = 0; i < m.length; i++) {
        s.mean[i] = (s.mean[i] as number) + (m[i] as number) * weight;
        s.variance[i] = (s.variance[i] as number) + (v[i] as number) * weight;
      }
      s.weight += weight;
    },
    range(tensor, maxAbs) {
      ranges.set(tensor, Math.max(ranges.get(tensor) ?? 0, maxAbs.dataSync()[0] as number));
    },
    clipError(tensor, errors) {
      const e = errors.dataSync();
      let s = clipErrors.get(tensor);
      if (!s) clipErrors.set(tensor, (s = new Float64Array(e.length)));
      for (let i = 0; i < e.length; i++) s[i] = (s[i] as number) + (e[i] as number);
    },
  };
  const pass = (quantizedWith?: ReadonlyMap<string, number>) => {
    for (let i = 0; i < idx.length; i += batch) {
      const part = idx.slice(i, i + batch);
      weight = part.length; // batches weighted by size, so a short last batch counts less
      const x = batchTensor(data.train, batchPixels(data.train, part, data.norm), part.length, arch.resolution);
      tf.dispose([x, net.forward(x, arch, { kind: 'calibrate', sink, ...(quantizedWith ? { ranges: quantizedWith } : {}) })]);
    }
  };
  pass();
  for (const [tensor, errors] of clipErrors) {
    let best = 0;
    errors.forEach((e, i) => void (e < (errors[best] as number) && (best = i)));
    ranges.set(tensor, (ranges.get(tensor) ?? 0) * (CLIP_RATIOS[best] as number));
  }
  if (opts.quantize ?? DEFAULTS.quantize) {
    // BN moments of the quantised subnet, over the same images (see BnMode 'calibrate'.ranges)
    sums.clear();
    pass(ranges);
  }
  const bn = new Map<string, BnStats>();
  for (const [layer, s] of sums) {
    bn.set(layer, { mean: Float32Array.from(s.mean, (v) => v / s.weight), variance: Float32Array.from(s.variance, (v) => v / s.weight) });
  }
  return { bn, ranges };
}

/** Accuracy of `arch` with inherited weights after BN recalibration; leaves no tensors behind. */
export function evaluateSubnet(net: MbconvSupernet, arch: MbconvArch, data: EvalData, opts: EvalOptions = {}): SubnetScore {
  const t0 = performance.now();
  const batch = positive('batchSize', opts.batchSize, DEFAULTS.batchSize);
  const quantize = opts.quantize ?? DEFAULTS.quantize;
  const stats = calibrateSubnet(net, arch, data, opts);
  const total = Math.min(data.val.n, positive('valLimit', opts.valLimit, data.val.n));
  let correct = 0;
  const hits = opts.perImage ? new Uint8Array(total) : undefined;
  for (let i = 0; i < total; i += batch) {
    const part = Array.from({ length: Math.min(batch, total - i) }, (_, k) => i + k);
    const x = batchTensor(data.val, batchPixels(data.val, part, data.norm), part.length, arch.resolution);
    const y = labelTensor(data.val, part);
    const logits = net.forward(x, arch, { kind: 'eval', stats, quantize });
    if (hits) {
      const right = tf.tidy(() => tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32').dataSync() as Int32Array);
      hits.set(right, i);
      correct += right.reduce((a, b) => a + b, 0);
    } else correct += countCorrect(logits, y);
    tf.dispose([x, y, logits]);
  }
  return {
    accuracy: total > 0 ? correct / total : 0, correct, total, quantized: quantize, seconds: (performance.now() - t0) / 1000, ...(hits ? { hits } : {}),
  };
}
