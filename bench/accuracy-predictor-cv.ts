/**
 * k-fold cross-validated fidelity of an accuracy-predictor recipe on supernet-scored subnets
 * (`nas supernet eval --json` outputs): Kendall τ and RMSE as mean ± std over the folds, every
 * subnet held out once. Compare recipes here rather than on one held-out split, whose τ moves by
 * ±0.05 with the split alone at a few hundred subnets.
 * Usage: npx tsx bench/accuracy-predictor-cv.ts --evals A.json,B.json [--folds 5] [--hidden 400x400x400]
 *   [--epochs 150] [--lr 0.001] [--weight-decay 0.0001] [--schedule constant|cosine] [--batch 64]
 *   [--ensemble 1] [--patience N --es-share 0.15] [--train-share 1] [--seed 0] [--backend wasm]
 */
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { createSpace } from '../search-space/registry.ts';
import { readSupernetScores } from '../estimators/accuracy/supernet-scores.ts';
import { crossValidate } from '../estimators/accuracy/cross-validate.ts';
import type { FitOptions } from '../estimators/accuracy/accuracy-predictor.ts';

const { values: v } = parseArgs({
  options: {
    evals: { type: 'string' }, folds: { type: 'string', default: '5' }, hidden: { type: 'string', default: '400x400x400' },
    epochs: { type: 'string', default: '150' }, lr: { type: 'string', default: '0.001' }, 'weight-decay': { type: 'string', default: '0.0001' },
    schedule: { type: 'string', default: 'constant' }, batch: { type: 'string', default: '64' }, ensemble: { type: 'string', default: '1' },
    patience: { type: 'string' }, 'es-share': { type: 'string', default: '0.15' }, 'train-share': { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' }, backend: { type: 'string', default: 'wasm' },
  },
});
if (!v.evals) throw new Error('--evals A.json[,B.json] is required');
await initTf(v.backend);
const space = createSpace('mbconv');
const { samples, source, valImages } = readSupernetScores(space, v.evals.split(','));
// --train-share < 1 keeps only that share of the samples (a learning curve; held-out folds shrink too).
const used = samples.slice(0, Math.round(samples.length * Number(v['train-share'])));
const options: FitOptions & { folds: number } = {
  source, folds: Number(v.folds), seed: Number(v.seed), hidden: v.hidden.split(/[x,]/).map(Number), epochs: Number(v.epochs),
  learningRate: Number(v.lr), weightDecay: Number(v['weight-decay']), schedule: v.schedule as 'constant' | 'cosine', batchSize: Number(v.batch),
  ensemble: Number(v.ensemble), ...(v.patience ? { earlyStopping: { share: Number(v['es-share']), patience: Number(v.patience) } } : {}),
};
const t0 = performance.now();
const cv = crossValidate(space, used, options);
const recipe = Object.entries(v).filter(([k]) => k !== 'evals' && k !== 'backend').map(([k, x]) => `${k}=${x}`).join(' ');
console.log(`${used.length} subnets (${source}, ${valImages ?? '?'} val images each); ${recipe}`);
console.log(
  `Kendall τ ${cv.kendallTauMean?.toFixed(3)} ± ${cv.kendallTauStd?.toFixed(3)}  RMSE ${cv.rmseMean.toFixed(2)} ± ${cv.rmseStd.toFixed(2)} pt  ` +
    `per fold τ [${cv.perFold.map((f) => f.kendallTau?.toFixed(3) ?? 'null').join(' ')}]  ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
