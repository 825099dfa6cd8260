/**
 * The latency fidelity report: measure sampled subnets end to end, fit the predictor on one set and
 * score the LUT sum and the predictor on another, disjoint set (different archs, measured the same way).
 * The fitted predictor is stored with its provenance, training-set size and held-out figures.
 */
import { Rng } from '../../core/rng.ts';
import type { Arch } from '../../core/types.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { noProgress } from '../../core/progress.ts';
import type { NetworkSpace } from '../../search-space/space.ts';
import type { Storage } from '../../storage/storage.ts';
import { fidelity, type Fidelity } from '../fidelity.ts';
import { fitLatencyModel, latencyModelJson, predictLatency, type LatencyModel, type LatencySample } from './latency-predictor.ts';
import { lutBreakdown, type LatencyTable } from './lut-estimator.ts';
import { measureArch } from './measure.ts';
import type { TimingOptions } from './timing.ts';

export interface LatencyValidateOptions extends TimingOptions {
  readonly trainSamples?: number;
  readonly testSamples?: number;
  readonly seed?: number;
  readonly progress?: ProgressFn;
}

export interface LatencyReport {
  readonly trainSize: number;
  readonly testSize: number;
  readonly lut: Fidelity;
  readonly predictor: Fidelity;
  readonly predictorId: number;
}

/** `count` distinct archs (by key) not in `exclude`. */
function distinctArchs(space: NetworkSpace<Arch>, rng: Rng, count: number, exclude: Set<string>): Arch[] {
  const out: Arch[] = [];
  for (let tries = 0; out.length < count && tries < count * 100; tries++) {
    const a = space.sample(rng);
    const k = space.key(a);
    if (exclude.has(k)) continue;
    exclude.add(k);
    out.push(a);
  }
  return out;
}

export async function validateLatency(storage: Storage, space: NetworkSpace<Arch>, table: LatencyTable, options: LatencyValidateOptions = {}): Promise<LatencyReport & { model: LatencyModel }> {
  const rng = new Rng(options.seed ?? 0).fork('latency-validate');
  const progress = options.progress ?? noProgress;
  const seen = new Set<string>();
  const train = distinctArchs(space, rng.fork('train'), options.trainSamples ?? 200, seen);
  const test = distinctArchs(space, rng.fork('test'), options.testSamples ?? 100, seen);
  const total = train.length + test.length;
  const measure = (archs: Arch[], offset: number): LatencySample[] =>
    archs.map((arch, i) => {
      const s = measureArch(space, arch, table.provenance.batchSize, rng.fork(`m/${space.key(arch)}`), options);
      progress({ phase: 'measure', done: offset + i + 1, total });
      return { arch, measuredMs: s.median };
    });
  const trainSet = measure(train, 0);
  const testSet = measure(test, train.length);
  const model = fitLatencyModel(space, table, trainSet);
  const truth = testSet.map((s) => s.measuredMs);
  const lutSum = testSet.map((s) => lutBreakdown(space, table, s.arch).reduce((a, p) => a + p.ms, 0));
  const predicted = testSet.map((s) => predictLatency(model, space, table, s.arch));
  const lut = fidelity(lutSum, truth);
  const predictor = fidelity(predicted, truth);
  const blob = new TextEncoder().encode(JSON.stringify(latencyModelJson(model)));
  const rec = await storage.savePredictor({
    kind: 'latency',
    metadata: { space: space.name, provenance: { ...table.provenance }, trainSize: trainSet.length, testSize: testSet.length, heldOut: { lut: { ...lut }, predictor: { ...predictor } } },
    blob,
  });
  return { trainSize: trainSet.length, testSize: testSet.length, lut, predictor, predictorId: rec.id, model };
}
