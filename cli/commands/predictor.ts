/**
 * `nas predictor train --kind accuracy`: fit the accuracy MLP and store it with its training-set
 * size and held-out RMSE / Kendall τ. Sources: the NAS-Bench-201 table (`--space nb201`, ground
 * truth), or for `--space mbconv` subnets scored by the supernet — either here (`--samples N`
 * random subnets, in-process) or read from `nas supernet eval --json` outputs (`--evals F1,F2`),
 * so the scoring can run as several processes, one per core.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Arch } from '../../core/types.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { sampleDistinct, type NetworkSpace } from '../../search-space/space.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { loadSupernet } from '../../search-space/supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../../search-space/supernet/embedded.ts';
import { evaluateSubnet } from '../../search-space/supernet/evaluate.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { initTf } from '../../core/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { createSpace } from '../../search-space/registry.ts';
import { loadNb201Table, NB201_DATASETS, type Nb201Dataset } from '../../search-space/nb201-table.ts';
import { nb201ArchAt } from '../../search-space/nb201-index.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { AccuracyPredictor, type AccuracySample } from '../../estimators/accuracy/accuracy-predictor.ts';
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
  readonly checkpoint?: string;
  readonly evals?: string;
  readonly valLimit?: number;
  readonly json?: boolean;
}

function parseHidden(v: string): number[] {
  const sizes = v.split(/[x,]/).map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new ConfigError('--hidden', v, 'expected layer sizes like 400x400x400');
  return sizes;
}

function nb201Samples(opts: Opts): { space: NetworkSpace<Arch>; samples: AccuracySample[]; source: string } {
  const table = loadNb201Table(opts.nb201Csv);
  const dataset = opts.nb201Dataset as Nb201Dataset;
  const picks = new Rng(opts.seed).fork('predictor-samples').sampleIndices(table.size, Math.min(opts.samples, table.size));
  return { space: createSpace('nb201'), samples: picks.map((i) => ({ arch: nb201ArchAt(i), accuracy: table.accuracy(i, dataset) })), source: `nb201:${dataset}` };
}

async function supernetSamples(opts: Opts, onProgress: ProgressFn): Promise<{ space: NetworkSpace<Arch>; samples: AccuracySample[]; source: string }> {
  if (opts.evals !== undefined) {
    const files = opts.evals.split(',').map((f) => f.trim()).filter(Boolean);
    const space = createSpace('mbconv');
    const seen = new Map<string, AccuracySample>();
    const checkpoints = new Set<string>();
    for (const file of files) {
      const doc = readEvalFile(file);
      checkpoints.add(doc.checkpoint);
      doc.results.forEach((r, i) => {
        let arch: Arch;
        try {
          arch = space.validate(r.arch);
        } catch (e) {
          throw new ConfigError(`--evals ${file} results[${i}].arch`, r.key, (e as Error).message);
        }
        seen.set(space.key(arch), { arch, accuracy: 100 * r.accuracy });
      });
    }
    if (checkpoints.size > 1) throw new ConfigError('--evals', opts.evals, `mixes checkpoints ${[...checkpoints].join(', ')}: fit on one supernet's scores`);
    return { space, samples: [...seen.values()], source: `supernet:${[...checkpoints][0]}` };
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

const evalFileSchema = z.object({
  checkpoint: z.string(),
  results: z.array(z.object({ key: z.string(), arch: z.unknown(), accuracy: z.number().min(0).max(1) })).min(1),
});

function readEvalFile(file: string): z.infer<typeof evalFileSchema> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('--evals', file, `cannot read JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = evalFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`--evals ${file} ${issue?.path.join('.') ?? ''}`.trim(), file, `is not \`nas supernet eval --json\` output: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
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
    .option('--checkpoint <dir>', 'mbconv: supernet checkpoint that scores the samples (default: the shipped one)')
    .option('--val-limit <n>', 'mbconv: validation images per scored subnet', intArg('--val-limit', 10), 2000)
    .option('--evals <files>', 'mbconv: fit on `nas supernet eval --json` outputs (comma-separated) instead of scoring here')
    .action(async (opts: Opts, cmd: Command) => {
      if (opts.kind !== 'accuracy') throw new ConfigError('--kind', opts.kind, 'supported kinds: accuracy (latency predictors are trained by `nas latency validate`)');
      if (opts.space !== 'nb201' && opts.space !== 'mbconv') throw new ConfigError('--space', opts.space, 'accuracy samples come from the NAS-Bench-201 table (nb201) or the supernet (mbconv)');
      if (!(NB201_DATASETS as readonly string[]).includes(opts.nb201Dataset)) throw new ConfigError('--nb201-dataset', opts.nb201Dataset, `one of ${NB201_DATASETS.join(', ')}`);
      await initTf(globalOptions(cmd).backend);
      const progress = createProgress({ quiet: opts.json });
      const { space, samples, source } = opts.space === 'mbconv' ? await supernetSamples(opts, progress.update) : nb201Samples(opts);
      const storage = await SqliteStorage.open(opts.db);
      try {
        const p = AccuracyPredictor.fit(space, samples, {
          source, hidden: parseHidden(opts.hidden), epochs: opts.epochs, seed: opts.seed,
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
