/**
 * Estimator throughput: candidates per second for the LUT sum (+ learned latency correction) and
 * for the accuracy predictor in batch, the paths an evolutionary search calls thousands of times.
 * Usage: npx tsx bench/estimators.ts [--backend wasm] [--runs 5] [--n 20000]
 * The search path is: compiled LUT (mbconv-fast.ts) + the fast encoder writing one Float32Array +
 * one batched MLP call (AccuracyPredictor.predictEncoded); the reference paths are printed beside.
 * The LUT here is synthetic (bench/synthetic-lut.ts), so the bench needs no database; predictors:
 * Once-for-All's shape (3 × 400 ReLU) and the small 2 × 128 one a search would use.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { createSpace } from '../search-space/registry.ts';
import { lutBreakdown, type LatencyTable } from '../estimators/lut/lut-estimator.ts';
import { fitLatencyModel, predictLatency } from '../estimators/lut/latency-predictor.ts';
import { AccuracyPredictor } from '../estimators/accuracy/accuracy-predictor.ts';
import { syntheticLatencyTable } from './synthetic-lut.ts';
import { compileMbconvLatency } from '../estimators/lut/mbconv-fast.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, runs: { type: 'string', default: '5' }, n: { type: 'string', default: '20000' } } });
const rt = await initTf(values.backend);
const runs = Number(values.runs);
const n = Number(values.n);
const space = createSpace('mbconv');
const table: LatencyTable = syntheticLatencyTable(space, rt.backend, rt.tfjsVersion);
const rng = new Rng(1);
const archs = Array.from({ length: n }, () => space.sample(rng)) as MbconvArch[];
// The reference paths lower every arch to layers (~10 k/s): timed on a tenth of the archs.
const few = archs.slice(0, Math.max(1, Math.floor(n / 10)));
const lutSum = (a: (typeof archs)[number]) => lutBreakdown(space, table, a).reduce((s, p) => s + p.ms, 0);
const model = fitLatencyModel(space, table, archs.slice(0, 200).map((arch) => ({ arch, measuredMs: lutSum(arch) * 1.1 })));
const accSamples = archs.slice(0, 200).map((arch, i) => ({ arch, accuracy: 80 + (i % 10) }));
const acc = AccuracyPredictor.fit(space, accSamples, { source: 'bench', epochs: 1 });
const accSmall = AccuracyPredictor.fit(space, accSamples, { source: 'bench', epochs: 1, hidden: [128, 128] });
const mb = space as unknown as MbconvSpace;
const fast = compileMbconvLatency(mb, table);
const encoded = new Float32Array(n * mb.encodingLength);
const latency = new Float64Array(n);

function rate(label: string, count: number, f: () => void): number {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  const s = summarize(t);
  const perSecond = count / (s.median / 1000);
  console.log(`${label.padEnd(50)} ${perSecond.toFixed(0).padStart(10)} candidates/s   (median ${s.median.toFixed(1)} ms for ${count}, IQR ${s.iqr.toFixed(1)} ms)`);
  return perSecond;
}

/** The search path: compiled LUT, fast encoding into one buffer, one batched MLP call. */
function searchPath(p: AccuracyPredictor): void {
  for (let i = 0; i < n; i++) latency[i] = fast(archs[i] as MbconvArch);
  mb.encodeBatch(archs, encoded);
  p.predictEncoded(encoded, n);
}

console.log(`backend ${rt.backend}, ${n} distinct sampled mbconv archs (reference paths: ${few.length}), median of ${runs} runs, one thread`);
rate('LUT sum (lowered to layers, reference)', few.length, () => few.forEach(lutSum));
rate('LUT + learned latency correction', few.length, () => few.forEach((a) => predictLatency(model, space, table, a)));
rate('LUT sum, compiled (mbconv fast path)', n, () => archs.forEach((a) => fast(a)));
rate('encode, space.encode → number[] (reference)', few.length, () => few.forEach((a) => space.encode(a)));
rate('encode, fast into one Float32Array', n, () => mb.encodeBatch(archs, encoded));
rate('validate (what predict() adds per arch)', n, () => archs.forEach((a) => space.validate(a)));
mb.encodeBatch(archs, encoded);
rate('MLP 2×128 on encoded batch (predictEncoded)', n, () => accSmall.predictEncoded(encoded, n));
rate('MLP 3×400 (OFA shape) on encoded batch', n, () => acc.predictEncoded(encoded, n));
rate('accuracy predictor 2×128, predict(archs) validated', n, () => accSmall.predict(archs));
rate('accuracy predictor 3×400, predict(archs) validated', n, () => acc.predict(archs));
rate('search path: compiled LUT + encode + MLP 2×128', n, () => searchPath(accSmall));
rate('search path: compiled LUT + encode + MLP 3×400', n, () => searchPath(acc));
acc.dispose();
accSmall.dispose();
