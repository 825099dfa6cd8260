/**
 * How noisy is a supernet-inherited accuracy, and what Kendall τ can any accuracy predictor reach
 * against it? (issue 5 item 5: the predictor's held-out τ is measured against these scores.)
 *
 * Random subnets are scored twice on the whole validation split with different BN-calibration images
 * (seed A = the default one, which the predictor's training targets use; seed B = another), keeping
 * which images each got right. From that, per calibration size:
 *   - calibration noise: A vs B on the same validation images;
 *   - total noise: the first half of the images under A vs the second half under B — two
 *     measurements sharing nothing — whose correlation r_h, stepped up to the whole split with the
 *     Spearman–Brown formula R = 2 r_h / (1 + r_h), is the reliability of one full measurement;
 *   - the ceiling: a predictor that knew each subnet's true accuracy exactly would still only reach
 *     τ ≈ (2/π)·asin(√R) against one measurement (Greiner's relation τ = (2/π)·asin(ρ) for normal
 *     scores, with ρ = √R the correlation between truth and measurement).
 * Spearman–Brown assumes the noise shrinks with the number of images; calibration noise does not,
 * so R and the ceiling are, if anything, optimistic.
 *
 * Usage: npx tsx bench/accuracy-noise.ts [--checkpoint DIR] [--subnets 100] [--seed noise]
 *          [--calib 512,2000] [--workers 2]
 */
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { kendallTau, pearson } from '../core/stats.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import { sampleDistinct } from '../core/space/space.ts';
import { readTrainState } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { SubnetEvalPool } from '../supernet/eval-pool.ts';
import { installKernels } from '../runtime/kernels/install.ts';
installKernels();

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: EMBEDDED_SUPERNET_DIR },
    subnets: { type: 'string', default: '100' },
    seed: { type: 'string', default: 'noise' },
    calib: { type: 'string', default: '512,2000' },
    workers: { type: 'string', default: '2' },
    backend: { type: 'string' },
  },
});
const rt = await initTf(values.backend);
const state = readTrainState(values.checkpoint);
const space = new MbconvSpace(state.spaceConfig);
const archs = sampleDistinct(space, new Rng(values.seed), Number(values.subnets));
const pool = new SubnetEvalPool({ checkpoint: values.checkpoint, backend: rt.backend, workers: Number(values.workers) });
console.log(`backend ${rt.backend}, ${pool.workers} workers; checkpoint ${values.checkpoint} (${state.dataset}); ${archs.length} random subnets`);

const sd = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const pct = (v: number) => (100 * v).toFixed(2);
const share = (hits: Uint8Array, from: number, to: number) => hits.subarray(from, to).reduce((a, h) => a + h, 0) / (to - from);
const ceiling = (reliability: number) => (2 / Math.PI) * Math.asin(Math.sqrt(Math.max(0, Math.min(1, reliability))));

try {
  for (const calibImages of (values.calib as string).split(',').map(Number)) {
    const t0 = performance.now();
    const score = (seed: string) => pool.scoreAll(archs, { calibImages, seed, perImage: true });
    const a = await score('calibration');
    const b = await score(`${values.seed}:calibration-b`);
    const n = (a[0]?.hits as Uint8Array).length;
    const half = Math.floor(n / 2);
    const fullA = a.map((s) => s.accuracy);
    const fullB = b.map((s) => s.accuracy);
    const h1 = a.map((s) => share(s.hits as Uint8Array, 0, half));
    const h2 = b.map((s) => share(s.hits as Uint8Array, half, n));
    const rh = pearson(h1, h2);
    const reliability = (2 * rh) / (1 + rh);
    const diffs = fullA.map((x, i) => x - (fullB[i] as number));
    console.log(`\ncalibration ${calibImages} images (${((performance.now() - t0) / 1000).toFixed(0)} s for ${2 * archs.length} scores of ${n} validation images):`);
    console.log(`  spread of the scores (seed A): sd ${pct(sd(fullA))} points, range ${pct(Math.min(...fullA))}–${pct(Math.max(...fullA))} %`);
    console.log(`  calibration noise (A vs B, same images): sd ${pct(sd(diffs) / Math.SQRT2)} points per score; τ ${kendallTau(fullA, fullB).toFixed(3)}, r ${pearson(fullA, fullB).toFixed(3)}`);
    console.log(`  independent halves (${half} images under A vs ${n - half} under B): τ ${kendallTau(h1, h2).toFixed(3)}, r ${rh.toFixed(3)}`);
    console.log(`  reliability of one whole-split score (Spearman–Brown) R ${reliability.toFixed(3)} → noise sd ≈ ${pct(sd(fullA) * Math.sqrt(1 - reliability))} points`);
    console.log(`  τ ceiling of a perfect predictor against one whole-split score: ${ceiling(reliability).toFixed(3)}`);
  }
} finally {
  await pool.close();
}
