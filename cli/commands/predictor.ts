/**
 * `nas predictor train --kind accuracy`: fit the accuracy MLP and store it with its training-set
 * size and held-out RMSE / Kendall τ. Sources: the NAS-Bench-201 table (`--space nb201`, ground
 * truth); the mbconv space's supernet-evaluated subnets plug in here once `nas supernet eval` exists.
 */
import type { Command } from 'commander';
import { initTf } from '../../core/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { createSpace } from '../../search-space/registry.ts';
import { loadNb201Table, NB201_DATASETS, type Nb201Dataset } from '../../search-space/nb201-table.ts';
import { nb201ArchAt } from '../../search-space/nb201-index.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { AccuracyPredictor } from '../../estimators/accuracy/accuracy-predictor.ts';
import { createProgress } from '../progress.ts';
import { globalOptions, intArg, printJson, withDb, withJson } from '../context.ts';

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
  readonly json?: boolean;
}

function parseHidden(v: string): number[] {
  const sizes = v.split(/[x,]/).map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new ConfigError('--hidden', v, 'expected layer sizes like 400x400x400');
  return sizes;
}

export function registerPredictor(program: Command): void {
  const group = program.command('predictor').description('learned predictors');
  withJson(withDb(group.command('train')))
    .description('train a predictor and store it with its held-out fidelity')
    .requiredOption('--kind <kind>', 'predictor kind: accuracy')
    .option('--space <name>', 'search space', 'nb201')
    .option('--samples <n>', 'subnets to fit on (20 % held out)', intArg('--samples', 10), 1000)
    .option('--epochs <n>', 'training epochs', intArg('--epochs', 1), 150)
    .option('--hidden <sizes>', 'hidden layer sizes', '400x400x400')
    .option('--nb201-dataset <name>', `NAS-Bench-201 accuracy column: ${NB201_DATASETS.join(' | ')}`, 'cifar10')
    .option('--nb201-csv <file>', 'NAS-Bench-201 table (default: ../shared/research/data/nb201/nats_bench.csv)')
    .option('--seed <n>', 'seed', intArg('--seed', 0), 0)
    .action(async (opts: Opts, cmd: Command) => {
      if (opts.kind !== 'accuracy') throw new ConfigError('--kind', opts.kind, 'supported kinds: accuracy (latency predictors are trained by `nas latency validate`)');
      if (opts.space !== 'nb201') throw new ConfigError('--space', opts.space, 'accuracy samples come from the NAS-Bench-201 table (nb201); supernet-evaluated mbconv samples are not wired yet');
      if (!(NB201_DATASETS as readonly string[]).includes(opts.nb201Dataset)) throw new ConfigError('--nb201-dataset', opts.nb201Dataset, `one of ${NB201_DATASETS.join(', ')}`);
      await initTf(globalOptions(cmd).backend);
      const space = createSpace('nb201');
      const table = loadNb201Table(opts.nb201Csv);
      const dataset = opts.nb201Dataset as Nb201Dataset;
      const picks = new Rng(opts.seed).fork('predictor-samples').sampleIndices(table.size, Math.min(opts.samples, table.size));
      const samples = picks.map((i) => ({ arch: nb201ArchAt(i), accuracy: table.accuracy(i, dataset) }));
      const progress = createProgress({ quiet: opts.json });
      const storage = await SqliteStorage.open(opts.db);
      try {
        const p = AccuracyPredictor.fit(space, samples, {
          source: `nb201:${dataset}`, hidden: parseHidden(opts.hidden), epochs: opts.epochs, seed: opts.seed,
          onEpoch: (e, loss) => progress.update({ phase: 'train', done: e + 1, total: opts.epochs, fields: { loss } }),
        });
        progress.stop();
        const rec = await storage.savePredictor({ kind: 'accuracy', metadata: p.meta, blob: p.serialize() });
        p.dispose();
        if (opts.json) return printJson({ id: rec.id, ...p.meta });
        process.stdout.write(
          `accuracy predictor #${rec.id} (${p.meta.space}, ${p.meta.source}): trained on ${p.meta.trainSize}, held out ${p.meta.testSize}: ` +
            `RMSE ${p.meta.heldOutRmse.toFixed(3)} pp, Kendall τ ${p.meta.kendallTau.toFixed(3)}\n`,
        );
      } finally {
        progress.stop();
        await storage.close();
      }
    });
}
