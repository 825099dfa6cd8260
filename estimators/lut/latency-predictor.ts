/**
 * The learned latency predictor: ridge regression of log(measured end-to-end latency) on the
 * features of latency-features.ts, fitted in closed form with ml-matrix. Trained on subnets measured
 * under one provenance and only valid for it; serialized as JSON so storage keeps it with its
 * training-set size and fit error.
 */
import { Matrix, solve } from 'ml-matrix';
import type { Arch, JsonObject } from '../../core/types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import type { Estimate, Estimator } from '../estimator.ts';
import { LATENCY_FEATURES, latencyFeatures } from './latency-features.ts';
import { LATENCY_OBJECTIVE, provenanceLabel, type LatencyTable } from './lut-estimator.ts';
import { assertSameClock, clockOf, type LatencyProvenance } from './provenance.ts';

export interface LatencyModel {
  readonly features: readonly string[];
  /** Per-feature standardization (the intercept column is left as is). */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
  readonly lambda: number;
  readonly provenance: LatencyProvenance;
  readonly trainSize: number;
  /** RMSE of log latency on the training set. */
  readonly trainRmseLog: number;
}

export interface LatencySample {
  readonly arch: Arch;
  readonly measuredMs: number;
}

function standardize(x: readonly number[], mean: readonly number[], scale: readonly number[]): number[] {
  return x.map((v, j) => (j === 0 ? 1 : (v - (mean[j] as number)) / (scale[j] as number)));
}

export function fitLatencyModel(space: NetworkSpace<Arch>, table: LatencyTable, samples: readonly LatencySample[], lambda = 1e-3): LatencyModel {
  if (samples.length < LATENCY_FEATURES.length + 2) {
    throw new ConfigError('samples', samples.length, `need at least ${LATENCY_FEATURES.length + 2} measured subnets to fit`);
  }
  const raw = samples.map((s) => latencyFeatures(space, table, s.arch).vector);
  const y = samples.map((s) => Math.log(s.measuredMs));
  const d = LATENCY_FEATURES.length;
  const mean = Array.from({ length: d }, (_, j) => raw.reduce((a, r) => a + (r[j] as number), 0) / raw.length);
  const scale = mean.map((m, j) => {
    const sd = Math.sqrt(raw.reduce((a, r) => a + ((r[j] as number) - m) ** 2, 0) / raw.length);
    return sd > 1e-12 ? sd : 1; // constant features (e.g. layer count in a fixed-depth subset) stay inert
  });
  const X = new Matrix(raw.map((r) => standardize(r, mean, scale)));
  const Y = Matrix.columnVector(y);
  const XtX = X.transpose().mmul(X);
  for (let j = 1; j < d; j++) XtX.set(j, j, XtX.get(j, j) + lambda * samples.length);
  const w = solve(XtX, X.transpose().mmul(Y)).getColumn(0);
  const pred = X.mmul(Matrix.columnVector(w)).getColumn(0);
  const rmse = Math.sqrt(pred.reduce((a, p, i) => a + (p - (y[i] as number)) ** 2, 0) / y.length);
  return { features: [...LATENCY_FEATURES], mean, scale, weights: w, lambda, provenance: table.provenance, trainSize: samples.length, trainRmseLog: rmse };
}

export function predictLatency(model: LatencyModel, space: NetworkSpace<Arch>, table: LatencyTable, arch: Arch): number {
  const x = standardize(latencyFeatures(space, table, arch).vector, model.mean, model.scale);
  return Math.exp(x.reduce((a, v, j) => a + v * (model.weights[j] as number), 0));
}

export function parseLatencyModel(json: unknown): LatencyModel {
  const m = json as Partial<LatencyModel> | null;
  const ok = m && Array.isArray(m.weights) && Array.isArray(m.features) && m.features.join() === LATENCY_FEATURES.join() && m.provenance;
  if (!ok) throw new ConfigError('predictor', 'latency', 'stored latency model has another feature set; retrain it with `nas latency validate --retrain`');
  return m as LatencyModel;
}

export function latencyPredictorEstimator(model: LatencyModel, space: NetworkSpace<Arch>, table: LatencyTable): Estimator {
  assertSameClock(`the latency predictor (${provenanceLabel(model.provenance)})`, clockOf(model.provenance), clockOf(table.provenance));
  return {
    name: 'latency-predictor',
    objectives: [LATENCY_OBJECTIVE],
    async estimate(arch: Arch): Promise<Estimate> {
      return { values: { latency_ms: predictLatency(model, space, table, arch) }, provenance: `predictor:${provenanceLabel(model.provenance)}:n${model.trainSize}` };
    },
  };
}

export function latencyModelJson(m: LatencyModel): JsonObject {
  return JSON.parse(JSON.stringify(m)) as JsonObject;
}
