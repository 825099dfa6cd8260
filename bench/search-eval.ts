/**
 * Predictor-based evaluation for bench/search.ts: compiled LUT latency, the MLP accuracy predictor,
 * and accelerator cost from the real CostModel compiled for the preset accelerator
 * (estimators/accelerator-table.ts: every distinct layer of the space mapped once, up front — the
 * one-off per accelerator, like building the LUT). Joint candidates (an accelerator per candidate)
 * go through the per-layer-cached CostModel behind `cachedEstimator`, as platform/create-platform.ts
 * wires the product. The per-step batch path makes one predictor call for all candidates;
 * `evaluateOne` is the per-candidate path and gives the same metrics.
 */
import { performance } from 'node:perf_hooks';
import { runtime } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import type { JsonObject, Metrics } from '../core/types.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { compileMbconvLatency } from '../estimators/lut/mbconv-fast.ts';
import { AccuracyPredictor } from '../estimators/accuracy/accuracy-predictor.ts';
import { acceleratorEstimator } from '../estimators/accelerator.ts';
import { cachedAcceleratorCost, compileAcceleratorCost, type CompiledAcceleratorCost } from '../estimators/accelerator-table.ts';
import { cachedEstimator, type CacheStats } from '../estimators/estimator.ts';
import { CostModel, accelArch, accelKey, preset, type AccelConfig } from '../hardware/index.ts';
import type { Constraint } from '../strategies/constraints.ts';
import type { ObjectiveSpec } from '../strategies/objectives.ts';
import type { Joint } from '../core/space/joint.ts';
import type { Candidate } from '../strategies/strategy.ts';
import { syntheticLatencyTable } from './synthetic-lut.ts';

export const OBJECTIVES: readonly ObjectiveSpec[] = [
  { name: 'accuracy', direction: 'max' },
  { name: 'latency_ms', direction: 'min' },
  { name: 'energy_uj', direction: 'min' },
];

export interface SearchEvaluator {
  readonly space: MbconvSpace;
  readonly constraints: readonly Constraint[];
  /** The preset accelerator's compiled cost table (mappedLayers, buildMs: the one-off). */
  readonly compiled: CompiledAcceleratorCost;
  /** The cache file the table was loaded from, or null when it was compiled in this process. */
  readonly costCacheFile: string | null;
  /** Milliseconds spent inside the evaluate functions so far. */
  readonly evalMs: number;
  evaluateOne(c: Candidate<JsonObject>): Promise<Metrics>;
  evaluateBatch(cs: readonly Candidate<JsonObject>[]): Promise<Metrics[]>;
  evaluateJoint(cs: readonly Candidate<Joint<JsonObject, JsonObject>>[]): Promise<Metrics[]>;
  hwStats(): { candidates: CacheStats; layers: { size: number; hits: number; misses: number } };
  dispose(): void;
}

export async function createSearchEvaluator(opts: { hidden: readonly number[]; hw: string; seed: number; costCache?: string | undefined }): Promise<SearchEvaluator> {
  const space = new MbconvSpace();
  const rt = runtime();
  const latency = compileMbconvLatency(space, syntheticLatencyTable(space, rt?.backend ?? 'unknown', rt?.tfjsVersion ?? 'unknown'));
  const rng = new Rng(opts.seed);
  const fitArchs = Array.from({ length: 400 }, () => space.sample(rng));
  // A synthetic but learnable target: accuracy rising with log latency, plus noise.
  const samples = fitArchs.map((arch) => ({ arch, accuracy: 85 + 3 * Math.log(latency(arch)) + rng.normal() * 0.3 }));
  const predictor = AccuracyPredictor.fit(space, samples, { source: 'bench', hidden: opts.hidden, epochs: 10, seed: opts.seed });
  const lats = fitArchs.map(latency).sort((a, b) => a - b);
  const constraints: Constraint[] = [{ metric: 'latency_ms', op: '<=', limit: lats[Math.floor(lats.length / 2)] as number }];

  const model = new CostModel();
  // Resolved once: the CostModel keys its per-accelerator state by the spec object.
  const spec = preset(opts.hw);
  const hwOf = (hw: JsonObject | null) => (hw ? accelArch(hw as unknown as AccelConfig) : spec);
  const hardware = cachedEstimator(
    acceleratorEstimator(space, model, hwOf),
    (arch, hw) => `${space.key(arch as MbconvArch)}|${hw ? accelKey(hw as unknown as AccelConfig) : opts.hw}`,
    100_000,
  );
  let evalMs = 0;

  const cached = opts.costCache ? cachedAcceleratorCost(space, model, spec, opts.costCache) : null;
  const compiled = cached ? cached.compiled : compileAcceleratorCost(space, model, spec);
  const costCacheFile = cached?.loaded ? cached.file : null;

  async function metricsOf(archs: readonly MbconvArch[], hws: readonly (JsonObject | null)[]): Promise<Metrics[]> {
    const t0 = performance.now();
    const acc = predictor.predictBatch(archs);
    const out: Metrics[] = [];
    for (let i = 0; i < archs.length; i++) {
      const arch = space.validate(archs[i] as MbconvArch);
      const hw = hws[i] ?? null;
      const energy = hw === null ? compiled.cost(arch).energy_uj : ((await hardware.estimate(arch, hw)).values['energy_uj'] as number);
      out.push({ accuracy: acc[i] as number, latency_ms: latency(arch), energy_uj: energy });
    }
    evalMs += performance.now() - t0;
    return out;
  }

  return {
    space,
    constraints,
    compiled,
    costCacheFile,
    get evalMs() {
      return evalMs;
    },
    evaluateOne: async (c) => (await metricsOf([c.x as MbconvArch], []))[0] as Metrics,
    evaluateBatch: (cs) => metricsOf(cs.map((c) => c.x as MbconvArch), []),
    evaluateJoint: (cs) => metricsOf(cs.map((c) => c.x.arch as MbconvArch), cs.map((c) => c.x.hw)),
    hwStats: () => ({ candidates: hardware.stats(), layers: model.cacheStats() }),
    dispose: () => predictor.dispose(),
  };
}
