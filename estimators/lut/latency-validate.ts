/**
 * The latency fidelity report: measure sampled subnets end to end, fit the predictor on one set and
 * score the LUT sum and the predictor on another, disjoint set (different archs, measured the same way).
 * The fitted predictor comes back as a record to store, with its provenance, training-set size and
 * held-out figures (platform/latency-tables.ts stores it).
 */
import { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { summarize } from '../../core/stats.ts';
import type { Arch, Json } from '../../core/types.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { noProgress } from '../../core/progress.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import { fidelity, type Fidelity } from '../fidelity.ts';
import { fitLatencyModel, latencyModelJson, predictLatency, type LatencyModel, type LatencySample } from './latency-predictor.ts';
import { lutBreakdown, provenanceLabel, type LatencyTable } from './lut-estimator.ts';
import { measureArch } from './measure.ts';
import { assertSameClock, clockOf } from './provenance.ts';
import type { LatencyClock, TimingOptions } from './timing.ts';

export interface LatencyValidateOptions extends TimingOptions {
  readonly trainSamples?: number;
  readonly testSamples?: number;
  readonly seed?: number;
  /** Separate timing calls per subnet, round-robin over all subnets; the figure is their median. */
  readonly rounds?: number;
  readonly progress?: ProgressFn;
}

export interface LatencyReport {
  readonly trainSize: number;
  readonly testSize: number;
  readonly lut: Fidelity;
  readonly predictor: Fidelity;
  readonly clock: LatencyClock;
  /**
   * With 2 or more rounds: the held-out measurements against themselves — the median of the even
   * rounds scored against the median of the odd rounds, as if one were a predictor of the other.
   * No estimator can agree with the measurement much better than the measurement agrees with itself,
   * so this is the ceiling the figures above are read against (a pessimistic one: each half has half
   * the rounds).
   */
  readonly repeatability?: Fidelity;
  /** Every measured subnet, so a report can be re-analysed (e.g. other predictor features). */
  readonly measurements: readonly { readonly split: 'train' | 'test'; readonly arch: Arch; readonly measuredMs: number }[];
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

/** The fitted latency predictor as it is stored: kind 'latency', metadata, serialised model. */
export interface LatencyPredictorRecord {
  readonly kind: 'latency';
  readonly metadata: Json;
  readonly blob: Uint8Array;
}

export async function measureLatencyFidelity(space: NetworkSpace<Arch>, table: LatencyTable, options: LatencyValidateOptions = {}): Promise<LatencyReport & { model: LatencyModel; record: LatencyPredictorRecord }> {
  const clock = options.clock ?? clockOf(table.provenance);
  assertSameClock(`the latency LUT (${provenanceLabel(table.provenance)})`, clockOf(table.provenance), clock);
  const rng = new Rng(options.seed ?? 0).fork('latency-validate');
  const progress = options.progress ?? noProgress;
  const seen = new Set<string>();
  const train = distinctArchs(space, rng.fork('train'), options.trainSamples ?? 200, seen);
  const test = distinctArchs(space, rng.fork('test'), options.testSamples ?? 100, seen);
  const rounds = options.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new ConfigError('rounds', rounds, 'must be an integer >= 1');
  const total = (train.length + test.length) * rounds;
  // Training and held-out subnets are measured in one shuffled order, round after round, so a change
  // of machine load during the run falls on both sets and on every subnet alike instead of on
  // whichever was being measured at the time. Each round rebuilds a subnet with the same weights.
  const figures = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    rng.fork(`order/${r}`).shuffle([...train, ...test]).forEach((arch, i) => {
      const key = space.key(arch);
      const s = measureArch(space, arch, table.provenance.batchSize, rng.fork(`m/${key}`), { ...options, clock });
      figures.set(key, [...(figures.get(key) ?? []), s.figure]);
      progress({ phase: 'measure', done: r * (train.length + test.length) + i + 1, total });
    });
  }
  const samples = (archs: Arch[]): LatencySample[] => archs.map((arch) => ({ arch, measuredMs: summarize(figures.get(space.key(arch)) ?? []).median }));
  const trainSet = samples(train);
  const testSet = samples(test);
  const model = fitLatencyModel(space, table, trainSet);
  const truth = testSet.map((s) => s.measuredMs);
  const lutSum = testSet.map((s) => lutBreakdown(space, table, s.arch).reduce((a, p) => a + p.ms, 0));
  const predicted = testSet.map((s) => predictLatency(model, space, table, s.arch));
  const lut = fidelity(lutSum, truth);
  const predictor = fidelity(predicted, truth);
  const half = (parity: number) => test.map((a) => summarize((figures.get(space.key(a)) ?? []).filter((_, r) => r % 2 === parity)).median);
  const repeatability = rounds >= 2 ? fidelity(half(0), half(1)) : undefined;
  const blob = new TextEncoder().encode(JSON.stringify(latencyModelJson(model)));
  const record: LatencyPredictorRecord = {
    kind: 'latency',
    metadata: { space: space.name, provenance: { ...table.provenance }, trainSize: trainSet.length, testSize: testSet.length, heldOut: { lut: { ...lut }, predictor: { ...predictor }, ...(repeatability ? { repeatability: { ...repeatability } } : {}) } },
    blob,
  };
  return {
    trainSize: trainSet.length, testSize: testSet.length, lut, predictor, clock, model, record, ...(repeatability ? { repeatability } : {}),
    measurements: [...trainSet.map((s) => ({ split: 'train' as const, ...s })), ...testSet.map((s) => ({ split: 'test' as const, ...s }))],
  };
}
