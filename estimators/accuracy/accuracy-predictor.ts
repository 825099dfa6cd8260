/**
 * The accuracy predictor: an MLP over the space's one-hot arch encoding, fitted on (arch, accuracy)
 * pairs measured elsewhere (supernet evaluation, or the NAS-Bench-201 table), with a held-out split
 * for its RMSE and Kendall τ. Serialized as a JSON header plus raw float32 weights.
 */
import type { Arch, JsonObject, Objective } from '../../core/types.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { kendallTau } from '../../core/stats.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
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
  /** MLPs whose predictions are averaged (predictors stored before ensembles lack the field: 1). */
  readonly members: number;
  readonly targetMean: number;
  readonly targetStd: number;
  readonly trainSize: number;
  readonly testSize: number;
  /** null when nothing was held out. */
  readonly heldOutRmse: number | null;
  /** null when undefined: nothing held out, or the held-out truths or predictions all tie. */
  readonly kendallTau: number | null;
}

export interface FitOptions extends Omit<TrainOptions, 'validation' | 'patience'> {
  readonly seed?: number;
  readonly hidden?: readonly number[];
  /** Share of the samples held out for the report (default 0.2). */
  readonly holdout?: number;
  /** Where the accuracies came from, e.g. 'nb201:cifar10' or 'supernet:<checkpoint hash>'. */
  readonly source: string;
  /** MLPs trained from different seeds (and early-stopping splits) and averaged; each costs one forward pass per prediction (default 1). */
  readonly ensemble?: number;
  /**
   * Early stopping: this share of the training samples is set aside (per ensemble member, drawn
   * anew) and training stops when its loss has not improved for `patience` epochs, keeping the
   * best epoch. Absent: train for `epochs` on all training samples.
   */
  readonly earlyStopping?: { readonly share: number; readonly patience: number };
}

/** Fidelity on samples the predictor did not train on. */
export interface HeldOutScore {
  readonly rmse: number;
  /** null when undefined (all truths or all predictions tie). */
  readonly kendallTau: number | null;
}

export class AccuracyPredictor {
  private constructor(
    readonly meta: AccuracyPredictorMeta,
    private readonly mlps: readonly Mlp[],
    private readonly space: NetworkSpace<Arch>,
  ) {}

  /** Trains on a random (1 − holdout) share of `samples` and reports RMSE and τ on the rest. */
  static fit(space: NetworkSpace<Arch>, samples: readonly AccuracySample[], options: FitOptions): AccuracyPredictor {
    const holdout = options.holdout ?? 0.2;
    if (!(holdout > 0 && holdout < 1)) throw new ConfigError('holdout', holdout, 'must be in (0, 1)');
    const order = new Rng(options.seed ?? 0).fork('accuracy-predictor').fork('split').shuffle(samples.map((_, i) => i));
    const nTest = Math.max(2, Math.round(samples.length * holdout));
    if (samples.length - nTest < 8) throw new ConfigError('samples', samples.length, 'need at least 10 samples (8 to train, 2 held out)');
    const test = order.slice(0, nTest).map((i) => samples[i] as AccuracySample);
    const trained = AccuracyPredictor.train(space, order.slice(nTest).map((i) => samples[i] as AccuracySample), options);
    const score = trained.evaluate(test);
    return new AccuracyPredictor({ ...trained.meta, testSize: test.length, heldOutRmse: score.rmse, kendallTau: score.kendallTau }, trained.mlps, space);
  }

  /** Trains on all of `samples` (nothing held out: heldOutRmse and kendallTau are null). */
  static train(space: NetworkSpace<Arch>, samples: readonly AccuracySample[], options: FitOptions): AccuracyPredictor {
    if (samples.length < 8) throw new ConfigError('samples', samples.length, 'need at least 8 samples to train on');
    const members = options.ensemble ?? 1;
    if (!Number.isInteger(members) || members < 1) throw new ConfigError('ensemble', members, 'must be a positive integer');
    const stop = options.earlyStopping;
    if (stop && !(stop.share > 0 && stop.share < 1 && Math.round(samples.length * stop.share) >= 2 && samples.length - Math.round(samples.length * stop.share) >= 2)) {
      throw new ConfigError('earlyStopping.share', stop.share, `must leave at least 2 of ${samples.length} samples on each side`);
    }
    const rng = new Rng(options.seed ?? 0).fork('accuracy-predictor');
    const ys = samples.map((s) => s.accuracy);
    const mean = ys.reduce((a, v) => a + v, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, v) => a + (v - mean) ** 2, 0) / ys.length) || 1;
    const config: MlpConfig = { inputs: space.encodingLength, hidden: options.hidden ?? [400, 400, 400], outputs: 1 };
    const xs = samples.map((s) => space.encode(s.arch));
    const zs = ys.map((v) => [(v - mean) / std]);
    const mlps: Mlp[] = [];
    try {
      for (let m = 0; m < members; m++) {
        // Member 0 keeps the single-MLP streams, so ensemble: 1 reproduces earlier predictors.
        const r = m === 0 ? rng : rng.fork(`member${m}`);
        const mlp = Mlp.create(config, r.fork('init'));
        mlps.push(mlp);
        if (!stop) {
          mlp.train(xs, zs, r.fork('train'), options);
          continue;
        }
        const order = r.fork('early-stopping').shuffle(samples.map((_, i) => i));
        const nVal = Math.round(samples.length * stop.share);
        const pick = (idx: number[]) => ({ x: idx.map((i) => xs[i] as number[]), y: idx.map((i) => zs[i] as number[]) });
        const fit = pick(order.slice(nVal));
        mlp.train(fit.x, fit.y, r.fork('train'), { ...options, validation: pick(order.slice(0, nVal)), patience: stop.patience });
      }
    } catch (e) {
      mlps.forEach((m) => m.dispose());
      throw e;
    }
    const meta: AccuracyPredictorMeta = {
      space: space.name, source: options.source, mlp: { ...config, hidden: [...config.hidden] }, members,
      targetMean: mean, targetStd: std, trainSize: samples.length, testSize: 0, heldOutRmse: null, kendallTau: null,
    };
    return new AccuracyPredictor(meta, mlps, space);
  }

  /** RMSE (points) and Kendall τ of the predictions for `samples` against their accuracies. */
  evaluate(samples: readonly AccuracySample[]): HeldOutScore {
    if (samples.length === 0) throw new ConfigError('samples', 0, 'need at least one sample to evaluate on');
    const pred = this.predict(samples.map((s) => s.arch));
    const truth = samples.map((s) => s.accuracy);
    const rmse = Math.sqrt(pred.reduce((a, p, i) => a + (p - (truth[i] as number)) ** 2, 0) / pred.length);
    const tau = samples.length < 2 ? NaN : kendallTau(pred, truth);
    return { rmse, kendallTau: Number.isFinite(tau) ? tau : null };
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
    const [first, ...rest] = this.mlps;
    const out = (first as Mlp).predictBatch(x, rows);
    for (const mlp of rest) {
      const more = mlp.predictBatch(x, rows);
      for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (more[i] as number);
    }
    const scale = this.meta.targetStd / this.mlps.length;
    const { targetMean } = this.meta;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * scale + targetMean;
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

  /** The weights as one float32 blob, member after member, each in layer order (w0, b0, w1, b1, …). */
  serialize(): Uint8Array {
    const parts = this.mlps.flatMap((m) => m.weights());
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
    const members = (meta.members as number | undefined) ?? 1;
    if (!Number.isInteger(members) || members < 1) throw new ConfigError('predictor.members', members, 'must be a positive integer');
    const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    if (floats.length % members !== 0) throw new ConfigError('predictor.blob', floats.length, `does not split into ${members} equal MLPs`);
    const each = floats.length / members;
    const mlps = Array.from({ length: members }, (_, m) => Mlp.fromWeights(meta.mlp, splitMlpWeights(floats.subarray(m * each, (m + 1) * each), meta.mlp, 'predictor.blob')));
    return new AccuracyPredictor(meta, mlps, space);
  }

  dispose(): void {
    this.mlps.forEach((m) => m.dispose());
  }
}
