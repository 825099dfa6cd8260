/**
 * `nas predictor train --kind accuracy`: fit the accuracy MLP and store it with its training-set
 * size and held-out RMSE / Kendall τ. Sources: the NAS-Bench-201 table (`--space nb201`, ground
 * truth), or for `--space mbconv` subnets scored by the supernet — either here (`--samples N`
 * random subnets, in-process) or read from `nas supernet eval --json` outputs (`--evals F1,F2`),
 * so the scoring can run as several processes, one per core. Fidelity: with `--folds K` (default 5)
 * the recipe is k-fold cross-validated (τ and RMSE as mean ± std over the folds) and the stored
 * predictor is then trained on every sample; `--folds 0` holds out 20 % once instead.
 */
import type { Command } from 'commander';
import type { Arch } from '../../core/types.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { sampleDistinct, type NetworkSpace } from '../../core/space/space.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { loadSupernet } from '../../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../../supernet/embedded.ts';
import { evaluateSubnet } from '../../supernet/evaluate.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { initTf } from '../../runtime/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { createSpace } from '../../search-space/registry.ts';
import { loadNb201Table, NB201_DATASETS, type Nb201Dataset } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import { nb201ArchAt } from '../../search-space/nb201-index.ts';
import { AccuracyPredictor, type AccuracySample, type FitOptions } from '../../estimators/accuracy/accuracy-predictor.ts';
import { crossValidate, type CrossValidation } from '../../estimators/accuracy/cross-validate.ts';
import { readSupernetScores } from '../../estimators/accuracy/supernet-scores.ts';
import { createProgress } from '../progress.ts';
import { globalOptions, intArg, printJson, withDb, withJson } from '../context.ts';
import { checkDb, openDb } from '../open-db.ts';

interface Opts {
  readonly db: string;
  readonly kind: string;
  readonly space: string;
  readonly samples: number;
  readonly epochs: number;
  readonly hidden: string;
  readonly nb201Dataset: string;
  readonly nb201Csv?: string;
  readonly seed: number;
  readonly checkpoint?: string;
  readonly evals?: string;
  readonly valLimit?: number;
  readonly folds: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly schedule: string;
  readonly batchSize: number;
  readonly ensemble: number;
  readonly patience?: number;
  readonly json?: boolean;
}

function floatArg(flag: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new ConfigError(flag, v, 'must be a non-negative number');
    return x;
  };
}

const fmt = (x: number | null, digits: number): string => (x === null ? 'undefined' : x.toFixed(digits));

function parseHidden(v: string): number[] {
  const sizes = v.split(/[x,]/).map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new ConfigError('--hidden', v, 'expected layer sizes like 400x400x400');
  return sizes;
}

function nb201Samples(opts: Opts): { space: NetworkSpace<Arch>; samples: AccuracySample[]; source: string } {
  const table = loadNb201Table(opts.nb201Csv ?? defaultNb201CsvPath());
  const dataset = opts.nb201Dataset as Nb201Dataset;
  const picks = new Rng(opts.seed).fork('predictor-samples').sampleIndices(table.size, Math.min(opts.samples, table.size));
  return { space: createSpace('nb201'), samples: picks.map((i) => ({ arch: nb201ArchAt(i), accuracy: table.accuracy(i, dataset) })), source: `nb201:${dataset}` };
}

async function supernetSamples(opts: Opts, onProgress: ProgressFn): Promise<{ space: NetworkSpace<Arch>; samples: AccuracySample[]; source: string }> {
  if (opts.evals !== undefined) {
    const space = createSpace('mbconv');
    const { samples, source } = readSupernetScores(space, opts.evals.split(',').map((f) => f.trim()).filter(Boolean));
    return { space, samples, source };
  }
  const dir = opts.checkpoint ?? EMBEDDED_SUPERNET_DIR;
  const { net, space, state } = loadSupernet(dir);
  try {
    const data = loadDataset(state.dataset);
    const picked = sampleDistinct(space, new Rng(opts.seed).fork('predictor-samples'), opts.samples);
    const samples = picked.map((arch, i) => {
      onProgress({ phase: 'score subnets', done: i, total: picked.length });
      const s = evaluateSubnet(net, arch as MbconvArch, { train: data.train, val: data.val, norm: state.norm }, { valLimit: opts.valLimit, seed: 'predictor' });
      return { arch, accuracy: 100 * s.accuracy };
    });
    return { space: space as unknown as NetworkSpace<Arch>, samples, source: `supernet:${dir} (val ${opts.valLimit})` };
  } finally {
    net.dispose();
  }
}

/** Trains the stored predictor and measures its fidelity (cross-validated, or on one held-out split). */
function fitAndScore(space: NetworkSpace<Arch>, samples: readonly AccuracySample[], opts: Opts, fit: FitOptions, onFold: (f: number) => void): { p: AccuracyPredictor; cv: CrossValidation | null } {
  if (opts.folds === 0) return { p: AccuracyPredictor.fit(space, samples, fit), cv: null };
  const cv = crossValidate(space, samples, { ...fit, folds: opts.folds, onEpoch: undefined }, (f) => onFold(f + 1));
  const p = AccuracyPredictor.train(space, samples, fit);
  return { p, cv };
}

export function registerPredictor(program: Command): void {
  const group = program.command('predictor').description('learned predictors');
  withJson(withDb(group.command('train')))
    .description('train a predictor and store it with its held-out fidelity')
    .requiredOption('--kind <kind>', 'predictor kind: accuracy')
    .option('--space <name>', 'search space', 'nb201')
    .option('--samples <n>', 'subnets to fit on', intArg('--samples', 10), 1000)
    .option('--epochs <n>', 'training epochs', intArg('--epochs', 1), 150)
    .option('--hidden <sizes>', 'hidden layer sizes', '400x400x400')
    .option('--nb201-dataset <name>', `NAS-Bench-201 accuracy column: ${NB201_DATASETS.join(' | ')}`, 'cifar10')
    .option('--nb201-csv <file>', 'NAS-Bench-201 table (default: $NAS_NB201_CSV, else the copy `nas datasets get nb201` downloaded)')
    .option('--seed <n>', 'seed', intArg('--seed', 0), 0)
    .option('--checkpoint <dir>', 'mbconv: supernet checkpoint that scores the samples (default: the shipped one)')
    .option('--val-limit <n>', 'mbconv: validation images per scored subnet', intArg('--val-limit', 10), 2000)
    .option('--evals <files>', 'mbconv: fit on `nas supernet eval --json` outputs (comma-separated) instead of scoring here')
    .option('--folds <k>', 'report k-fold cross-validated τ and RMSE, then train on every sample (0: hold out 20 % once)', intArg('--folds', 0), 5)
    .option('--lr <x>', 'Adam learning rate', floatArg('--lr'), 1e-3)
    .option('--weight-decay <x>', 'L2 penalty on the weights', floatArg('--weight-decay'), 1e-4)
    .option('--schedule <name>', 'learning-rate schedule: constant | cosine', 'constant')
    .option('--batch-size <n>', 'minibatch size', intArg('--batch-size', 1), 64)
    .option('--ensemble <n>', 'MLPs averaged (each costs one forward pass per prediction)', intArg('--ensemble', 1), 1)
    .option('--patience <n>', 'early stopping: hold 15 % of the training samples back, stop after N epochs without improvement', intArg('--patience', 1))
    .action(async (opts: Opts, cmd: Command) => {
      if (opts.kind !== 'accuracy') throw new ConfigError('--kind', opts.kind, 'supported kinds: accuracy (latency predictors are trained by `nas latency validate`)');
      if (opts.space !== 'nb201' && opts.space !== 'mbconv') throw new ConfigError('--space', opts.space, 'accuracy samples come from the NAS-Bench-201 table (nb201) or the supernet (mbconv)');
      if (!(NB201_DATASETS as readonly string[]).includes(opts.nb201Dataset)) throw new ConfigError('--nb201-dataset', opts.nb201Dataset, `one of ${NB201_DATASETS.join(', ')}`);
      if (opts.folds === 1) throw new ConfigError('--folds', 1, 'must be 0 (one held-out split) or at least 2');
      if (opts.schedule !== 'constant' && opts.schedule !== 'cosine') throw new ConfigError('--schedule', opts.schedule, 'one of constant, cosine');
      // Scoring samples takes minutes: refuse an unusable --db before it, create nothing yet.
      await checkDb(opts.db, 'create');
      await initTf(globalOptions(cmd).backend);
      const progress = createProgress({ quiet: opts.json });
      const { space, samples, source } = opts.space === 'mbconv' ? await supernetSamples(opts, progress.update) : nb201Samples(opts);
      const storage = await openDb(opts.db, 'create');
      try {
        const fit: FitOptions = {
          source, hidden: parseHidden(opts.hidden), epochs: opts.epochs, seed: opts.seed, learningRate: opts.lr, weightDecay: opts.weightDecay,
          schedule: opts.schedule, batchSize: opts.batchSize, ensemble: opts.ensemble,
          ...(opts.patience !== undefined ? { earlyStopping: { share: 0.15, patience: opts.patience } } : {}),
          onEpoch: (e, loss) => progress.update({ phase: 'train', done: e + 1, total: opts.epochs, fields: { loss } }),
        };
        const { p, cv } = fitAndScore(space, samples, opts, fit, (f) => progress.update({ phase: 'cross-validate', done: f, total: opts.folds }));
        progress.stop();
        // With cross-validation the stored figures are the folds' means: estimates for a predictor trained on all samples.
        const metadata = cv ? { ...p.meta, heldOutRmse: cv.rmseMean, kendallTau: cv.kendallTauMean, crossValidation: cv } : { ...p.meta, crossValidation: null };
        const rec = await storage.savePredictor({ kind: 'accuracy', metadata, blob: p.serialize() });
        p.dispose();
        if (opts.json) return printJson({ id: rec.id, ...metadata });
        const fidelity = cv
          ? `${cv.folds}-fold cross-validation: RMSE ${cv.rmseMean.toFixed(3)} ± ${cv.rmseStd.toFixed(3)} pp, Kendall τ ${fmt(cv.kendallTauMean, 3)} ± ${fmt(cv.kendallTauStd, 3)}`
          : `held out ${p.meta.testSize}: RMSE ${fmt(p.meta.heldOutRmse, 3)} pp, Kendall τ ${fmt(p.meta.kendallTau, 3)}`;
        process.stdout.write(`accuracy predictor #${rec.id} (${p.meta.space}, ${p.meta.source}): trained on ${p.meta.trainSize}; ${fidelity}\n`);
      } finally {
        progress.stop();
        await storage.close();
      }
    });
}
