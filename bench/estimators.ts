/**
 * Estimator throughput: candidates per second for the LUT sum (+ learned latency correction) and
 * for the accuracy predictor in batch, the paths an evolutionary search calls thousands of times.
 * Usage: npx tsx bench/estimators.ts [--backend wasm] [--runs 5] [--n 20000]
 * The LUT here is synthetic (one entry per unit, timed values irrelevant to throughput), so the
 * bench needs no database; the predictor has Once-for-All's shape (3 × 400 ReLU).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { initTf } from '../core/tf.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { createSpace } from '../search-space/registry.ts';
import { spaceUnits } from '../estimators/lut/coverage.ts';
import { lutBreakdown, type LatencyTable } from '../estimators/lut/lut-estimator.ts';
import { fitLatencyModel, predictLatency } from '../estimators/lut/latency-predictor.ts';
import { AccuracyPredictor } from '../estimators/accuracy/accuracy-predictor.ts';
import type { LutEntryRecord } from '../storage/types.ts';
import { compileMbconvLatency } from '../estimators/lut/mbconv-fast.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, runs: { type: 'string', default: '5' }, n: { type: 'string', default: '20000' } } });
const rt = await initTf(values.backend);
const runs = Number(values.runs);
const n = Number(values.n);
const space = createSpace('mbconv');
const provenance = { backend: rt.backend, tfjsVersion: rt.tfjsVersion, cpuModel: 'bench', threads: 1, batchSize: 1 };
const table: LatencyTable = {
  provenance,
  entries: new Map(spaceUnits(space, 1).map((u, i): [string, LutEntryRecord] => [u.key, { ...provenance, key: u.key, medianMs: 0.1 + (i % 7) * 0.05, meanMs: 0, stdMs: 0, spreadMs: 0, count: 1, measuredAt: '' }])),
};
const rng = new Rng(1);
const archs = Array.from({ length: n }, () => space.sample(rng));
const lutSum = (a: (typeof archs)[number]) => lutBreakdown(space, table, a).reduce((s, p) => s + p.ms, 0);
const model = fitLatencyModel(space, table, archs.slice(0, 200).map((arch) => ({ arch, measuredMs: lutSum(arch) * 1.1 })));
const accSamples = archs.slice(0, 200).map((arch, i) => ({ arch, accuracy: 80 + (i % 10) }));
const acc = AccuracyPredictor.fit(space, accSamples, { source: 'bench', epochs: 1 });
const accSmall = AccuracyPredictor.fit(space, accSamples, { source: 'bench', epochs: 1, hidden: [128, 128] });
const fast = compileMbconvLatency(space as unknown as MbconvSpace, table);

function rate(label: string, count: number, f: () => void): void {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  const s = summarize(t);
  console.log(`${label.padEnd(40)} ${(count / (s.median / 1000)).toFixed(0).padStart(10)} candidates/s   (median ${s.median.toFixed(1)} ms for ${count}, IQR ${s.iqr.toFixed(1)} ms)`);
}

console.log(`backend ${rt.backend}, ${n} distinct sampled mbconv archs, median of ${runs} runs`);
rate('LUT sum', n, () => archs.forEach(lutSum));
rate('LUT + learned latency correction', n, () => archs.forEach((a) => predictLatency(model, space, table, a)));
rate('LUT sum, compiled (mbconv fast path)', n, () => archs.forEach((a) => fast(a as MbconvArch)));
rate('accuracy predictor (MLP 3×400, one batch)', n, () => acc.predict(archs));
rate('accuracy predictor (MLP 2×128, one batch)', n, () => accSmall.predict(archs));
rate('compiled LUT + MLP 2×128 (search path)', n, () => {
  archs.forEach((a) => fast(a as MbconvArch));
  accSmall.predict(archs);
});
rate('encode only (accuracy predictor input)', n, () => archs.forEach((a) => space.encode(a)));
acc.dispose();
accSmall.dispose();
