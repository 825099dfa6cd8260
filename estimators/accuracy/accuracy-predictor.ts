/**
 * The accuracy predictor: an MLP over the space's one-hot arch encoding, fitted on (arch, accuracy)
 * pairs measured elsewhere (supernet evaluation, or the NAS-Bench-201 table), with a held-out split
 * for its RMSE and Kendall τ. Serialized as a JSON header plus raw float32 weights.
 */
import type { Arch, JsonObject, Objective } from '../../core/types.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { kendallTau } from '../../core/stats.ts';
import type { NetworkSpace } from '../../search-space/space.ts';
import type { Estimate, Estimator } from '../estimator.ts';
import { Mlp, splitMlpWeights, type MlpConfig, type TrainOptions } from './mlp.ts';

/** Spaces that can write many encodings into one buffer (MbconvSpace.encodeBatch). */
interface BatchEncoding {
  encodeBatch(archs: readonly Arch[], out?: Float32Array): Float32Array;
}

export const ACCURACY_OBJECTIVE: Objective = { name: 'accuracy', unit: '%', direction: 'max' };

export interface AccuracySample {
  readonly arch: Arch;
  /** Accuracy in percent. */
  readonly accuracy: number;
}

export interface AccuracyPredictorMeta extends JsonObject {
  readonly space: string;
  readonly source: string;
  readonly mlp: { readonly inputs: number; readonly hidden: readonly number[]; readonly outputs: number };
  readonly targetMean: number;
  readonly targetStd: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly heldOutRmse: number;
  readonly kendallTau: number;
}

export interface FitOptions extends TrainOptions {
  readonly seed?: number;
  readonly hidden?: readonly number[];
  /** Share of the samples held out for the report (default 0.2). */
  readonly holdout?: number;
  /** Where the accuracies came from, e.g. 'nb201:cifar10' or 'supernet:<checkpoint hash>'. */
  readonly source: string;
}

export class AccuracyPredictor {
  private constructor(
    readonly meta: AccuracyPredictorMeta,
    private readonly mlp: Mlp,
    private readonly space: NetworkSpace<Arch>,
  ) {}

  static fit(space: NetworkSpace<Arch>, samples: readonly AccuracySample[], options: FitOptions): AccuracyPredictor {
    const holdout = options.holdout ?? 0.2;
    if (!(holdout > 0 && holdout < 1)) throw new ConfigError('holdout', holdout, 'must be in (0, 1)');
    const rng = new Rng(options.seed ?? 0).fork('accuracy-predictor');
    const order = rng.fork('split').shuffle(samples.map((_, i) => i));
    const nTest = Math.max(2, Math.round(samples.length * holdout));
    if (samples.length - nTest < 8) throw new ConfigError('samples', samples.length, 'need at least 10 samples (8 to train, 2 held out)');
    const test = order.slice(0, nTest).map((i) => samples[i] as AccuracySample);
    const train = order.slice(nTest).map((i) => samples[i] as AccuracySample);
    const ys = train.map((s) => s.accuracy);
    const mean = ys.reduce((a, v) => a + v, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, v) => a + (v - mean) ** 2, 0) / ys.length) || 1;
    const config: MlpConfig = { inputs: space.encodingLength, hidden: options.hidden ?? [400, 400, 400], outputs: 1 };
    const mlp = Mlp.create(config, rng.fork('init'));
    mlp.train(train.map((s) => space.encode(s.arch)), ys.map((v) => [(v - mean) / std]), rng.fork('train'), options);
    const provisional = new AccuracyPredictor(
      { space: space.name, source: options.source, mlp: { ...config, hidden: [...config.hidden] }, targetMean: mean, targetStd: std, trainSize: train.length, testSize: test.length, heldOutRmse: NaN, kendallTau: NaN },
      mlp,
      space,
    );
    const pred = provisional.predict(test.map((s) => s.arch));
    const truth = test.map((s) => s.accuracy);
    const rmse = Math.sqrt(pred.reduce((a, p, i) => a + (p - (truth[i] as number)) ** 2, 0) / pred.length);
    return new AccuracyPredictor({ ...provisional.meta, heldOutRmse: rmse, kendallTau: kendallTau(pred, truth) }, mlp, space);
  }

  /** Predicted accuracies (percent); every arch is fully validated first. */
  predict(archs: readonly Arch[]): number[] {
    if (archs.length === 0) return [];
    for (const a of archs) this.space.validate(a);
    return Array.from(this.predictBatch(archs));
  }

  /**
   * The search's hot path: archs produced by the space's own operators, encoded into one buffer
   * and predicted in one batched call. The encoder still checks every value it reads (mbconv), but
   * unknown extra fields are not rejected — use `predict` for untrusted input.
   */
  predictBatch(archs: readonly Arch[]): Float32Array {
    return this.predictEncoded(this.encode(archs), archs.length);
  }

  /** Predictions (percent) for `rows` encodings laid out row-major in `x`. */
  predictEncoded(x: Float32Array, rows: number): Float32Array {
    const out = this.mlp.predictBatch(x, rows);
    const { targetStd, targetMean } = this.meta;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * targetStd + targetMean;
    return out;
  }

  /** Row-major encodings of `archs`, through the space's batch encoder when it has one. */
  encode(archs: readonly Arch[]): Float32Array {
    const fast = (this.space as Partial<BatchEncoding>).encodeBatch;
    if (typeof fast === 'function') return fast.call(this.space, archs);
    const L = this.space.encodingLength;
    const out = new Float32Array(archs.length * L);
    archs.forEach((a, i) => out.set(this.space.encode(a), i * L));
    return out;
  }

  estimator(): Estimator {
    return {
      name: 'accuracy-predictor',
      objectives: [ACCURACY_OBJECTIVE],
      estimate: async (arch: Arch): Promise<Estimate> => ({
        values: { accuracy: this.predict([arch])[0] as number },
        provenance: `mlp-predictor:${this.meta.source}:n${this.meta.trainSize}`,
      }),
    };
  }

  /** The weights as one float32 blob, in layer order (w0, b0, w1, b1, …). */
  serialize(): Uint8Array {
    const parts = this.mlp.weights();
    const total = parts.reduce((a, p) => a + p.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    return new Uint8Array(all.buffer);
  }

  static deserialize(space: NetworkSpace<Arch>, meta: AccuracyPredictorMeta, blob: Uint8Array): AccuracyPredictor {
    if (meta.space !== space.name || meta.mlp.inputs !== space.encodingLength) {
      throw new ConfigError('predictor.space', meta.space, `predictor was trained for ${meta.space} (${meta.mlp.inputs} inputs), not ${space.name} (${space.encodingLength})`);
    }
    const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    return new AccuracyPredictor(meta, Mlp.fromWeights(meta.mlp, splitMlpWeights(floats, meta.mlp, 'predictor.blob')), space);
  }

  dispose(): void {
    this.mlp.dispose();
  }
}
