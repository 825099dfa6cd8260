/**
 * `nas supernet train|eval`: trains the weight-sharing supernet of the mbconv space and scores
 * subnets with inherited weights. Both call the same services other modules use
 * (supernet/train.ts trainSupernet, evaluate.ts evaluateSubnet).
 */
import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, runtime } from '../../runtime/tf.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { loadSupernet } from '../../supernet/checkpoint.ts';
import { evaluateSubnet, type SubnetScore } from '../../supernet/evaluate.ts';
import { SubnetEvalPool } from '../../supernet/eval-pool.ts';
import { trainSupernet, type TrainConfig } from '../../supernet/train.ts';
import { formatTable, globalOptions, intArg, interruptSignal, printJson, withDb, withJson } from '../context.ts';
import { createProgress } from '../progress.ts';
import { checkDb, openDb } from '../open-db.ts';

interface TrainOpts {
  readonly dataset: string;
  readonly epochs?: number;
  readonly out: string;
  readonly resume?: boolean;
  readonly db: string;
  readonly trainLimit?: number;
  readonly valLimit?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: string;
  readonly spaceConfig?: string;
  readonly stopAfter?: number;
  readonly subnet?: string;
  readonly qat?: boolean;
  readonly init?: string;
  readonly shards?: number;
  readonly workers?: number;
  readonly sortChannels: boolean;
  readonly json?: boolean;
}

interface EvalOpts {
  readonly checkpoint: string;
  readonly arch?: string;
  readonly random?: number;
  readonly seed: string;
  readonly valLimit?: number;
  readonly calibImages?: number;
  readonly quantize: boolean;
  readonly split: string;
  readonly workers?: number;
  readonly json?: boolean;
}

function readStructured(file: string, field: string): unknown {
  if (!existsSync(file)) throw new ConfigError(field, file, 'file not found');
  const text = readFileSync(file, 'utf8');
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(field, file, `cannot parse: ${(e as Error).message}`);
  }
}

function floatArg(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new ConfigError(flag, v, 'must be a positive number');
    return n;
  };
}

export async function runTrain(opts: TrainOpts, backend?: string): Promise<void> {
  // Checkpoints are recorded in --db: refuse an unusable one before loading data and training.
  await checkDb(opts.db, 'create');
  const rt = await initTf(backend);
  const space = new MbconvSpace(opts.spaceConfig ? readStructured(opts.spaceConfig, '--space-config') : {});
  const data = loadDataset(opts.dataset);
  const config: Partial<TrainConfig> = {
    ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
    ...(opts.trainLimit !== undefined ? { trainLimit: opts.trainLimit } : {}),
    ...(opts.valLimit !== undefined ? { valLimit: opts.valLimit } : {}),
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    ...(opts.lr !== undefined ? { lr: opts.lr } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.subnet !== undefined ? { subnet: space.validate(readStructured(opts.subnet, '--subnet')) } : {}),
    ...(opts.qat ? { qat: true } : {}),
    ...(opts.shards !== undefined ? { shards: opts.shards } : {}),
    ...(opts.sortChannels === false ? { sortChannels: false } : {}),
  };
  if (opts.init !== undefined && opts.spaceConfig !== undefined) throw new UsageError('--init takes the space of its checkpoint: drop --space-config');
  const workers = opts.workers ?? availableParallelism();
  if (!opts.json) process.stderr.write(`backend ${rt.backend}; ${workers} thread${workers === 1 ? '' : 's'}; ${data.train.n} train / ${data.val.n} val images; checkpoints in ${opts.out}\n`);
  const storage = await openDb(opts.db, 'create');
  const progress = createProgress({ quiet: opts.json });
  const stop = interruptSignal();
  try {
    const result = await trainSupernet({
      space, dataset: opts.dataset, train: data.train, val: data.val, out: resolve(opts.out), config,
      resume: opts.resume, init: opts.init === undefined ? undefined : resolve(opts.init), stopAfter: opts.stopAfter, workers, onProgress: progress.update, signal: stop.signal,
      onCheckpoint: async (c) => {
        await storage.saveCheckpoint({
          path: c.path, sha256: c.sha256, dataset: opts.dataset, epochs: c.epochsDone,
          accuracyLargest: c.record.valAccuracyLargest, accuracySmallest: c.record.valAccuracySmallest,
          metadata: { backend: runtime().backend, record: { ...c.record }, dir: c.dir, qat: c.config.qat ?? false,
            ...(c.config.subnet ? { standalone: c.config.subnet } : {}), ...(c.config.init ? { init: { ...c.config.init } } : {}) },
        });
      },
    });
    progress.stop();
    if (opts.json) return printJson(result);
    process.stdout.write(
      `${formatTable(result.history, [
        { header: 'EPOCH', get: (r) => r.epoch, align: 'right' },
        { header: 'LOSS', get: (r) => r.loss, align: 'right' },
        { header: 'TRAIN_ACC', get: (r) => r.trainAccuracy, align: 'right' },
        { header: 'VAL_LARGEST', get: (r) => r.valAccuracyLargest, align: 'right' },
        { header: 'VAL_SMALLEST', get: (r) => r.valAccuracySmallest, align: 'right' },
        { header: 'IMG/S', get: (r) => Math.round(r.imagesPerSecond), align: 'right' },
      ])}\n${stop.signal.aborted ? 'interrupted: rerun with --resume to continue\n' : ''}`,
    );
  } finally {
    stop.release();
    progress.stop();
    await storage.close();
  }
}

function archsToScore(space: MbconvSpace, opts: EvalOpts): MbconvArch[] {
  if ((opts.arch === undefined) === (opts.random === undefined)) throw new UsageError('give exactly one of --arch FILE or --random N');
  if (opts.arch === 'largest') return [space.largest()];
  if (opts.arch === 'smallest') return [space.smallest()];
  if (opts.arch !== undefined) {
    const raw = readStructured(opts.arch, '--arch');
    return (Array.isArray(raw) ? raw : [raw]).map((a) => space.validate(a));
  }
  const rng = new Rng(opts.seed);
  return Array.from({ length: opts.random as number }, () => space.sample(rng));
}

export async function runEval(opts: EvalOpts, backend?: string): Promise<void> {
  await initTf(backend);
  if (opts.split !== 'val' && opts.split !== 'test') throw new ConfigError('--split', opts.split, 'must be val or test');
  const { net, space, state } = loadSupernet(opts.checkpoint);
  try {
    const archs = archsToScore(space, opts);
    const split = opts.split;
    const options = { valLimit: opts.valLimit, calibImages: opts.calibImages, quantize: opts.quantize };
    const progress = createProgress({ quiet: opts.json });
    progress.update({ phase: 'eval', done: 0, total: archs.length });
    let scores: SubnetScore[];
    if ((opts.workers ?? 1) > 1) {
      const pool = new SubnetEvalPool({ checkpoint: opts.checkpoint, backend: runtime().backend, workers: opts.workers });
      try {
        scores = await pool.scoreAll(archs, options, split, (done) => progress.update({ phase: 'eval', done, total: archs.length }));
      } finally {
        await pool.close();
      }
    } else {
      const data = loadDataset(state.dataset);
      const evalData = { train: data.train, val: split === 'test' ? data.test : data.val, norm: state.norm };
      scores = archs.map((arch, i) => {
        const s = evaluateSubnet(net, arch, evalData, options);
        progress.update({ phase: 'eval', done: i + 1, total: archs.length });
        return s;
      });
    }
    const rows = archs.map((arch, i) => ({ key: space.key(arch), describe: space.describe(arch), arch, ...(scores[i] as SubnetScore) }));
    progress.stop();
    if (opts.json) return printJson({ checkpoint: opts.checkpoint, backend: runtime().backend, split: opts.split, results: rows });
    process.stdout.write(
      `${formatTable(rows, [
        { header: 'ACC', get: (r) => r.accuracy.toFixed(4), align: 'right' },
        { header: 'N', get: (r) => r.total, align: 'right' },
        { header: 'SUBNET', get: (r) => r.describe },
      ])}\n`,
    );
  } finally {
    net.dispose();
  }
}

export function registerSupernet(program: Command): void {
  const group = program.command('supernet').description('train the weight-sharing supernet and score subnets');
  withJson(withDb(group.command('train')))
    .description('sandwich-rule training with in-place distillation; checkpoint every epoch')
    .option('--dataset <name>', 'dataset', 'fashion-mnist')
    .option('--epochs <n>', 'epochs (cosine schedule spans them)', intArg('--epochs', 1))
    .option('--out <dir>', 'checkpoint directory', './supernet')
    .option('--resume', 'continue exactly from the checkpoint in --out')
    .option('--train-limit <n>', 'train on the first N training images', intArg('--train-limit', 1))
    .option('--val-limit <n>', 'validation images scored per epoch', intArg('--val-limit', 1))
    .option('--batch-size <n>', 'images per step', intArg('--batch-size', 1))
    .option('--lr <x>', 'peak learning rate', floatArg('--lr'))
    .option('--seed <s>', 'seed of weights, shuffling, augmentation and sampling')
    .option('--space-config <file>', 'mbconv space config (JSON or YAML)')
    .option('--stop-after <n>', 'stop after N epochs in this run (resume later)', intArg('--stop-after', 1))
    .option('--subnet <file>', 'train this one subnet stand-alone (labels only, no sandwich): the rank-fidelity baseline')
    .option('--qat', 'quantisation-aware: each member trains fake-quantised at its own bits')
    .option('--init <dir>', 'start from the weights of this checkpoint (new schedule): fine-tuning, e.g. a --qat phase')
    .option('--no-sort-channels', 'do not reorder hidden channels by importance at each epoch start (OFA re_organize_middle_weights)')
    .option('--shards <n>', 'split each batch into N shards whose gradients are averaged (default 2; part of the run, kept on --resume)', intArg('--shards', 1))
    .option('--workers <n>', 'threads computing the shards, main thread included (default: the machine\'s cores); the weights do not depend on it', intArg('--workers', 1))
    .action(async (opts: TrainOpts, cmd: Command) => runTrain(opts, globalOptions(cmd).backend));
  withJson(group.command('eval'))
    .description('accuracy of subnets with inherited weights (BN recalibrated, bits fake-quantised)')
    .requiredOption('--checkpoint <dir>', 'checkpoint directory from `nas supernet train`')
    .option('--arch <file>', 'JSON/YAML file with one arch or an array of archs, or the word largest / smallest')
    .option('--random <n>', 'score N random subnets', intArg('--random', 1))
    .option('--seed <s>', 'seed for --random', 'eval')
    .option('--val-limit <n>', 'validation images scored', intArg('--val-limit', 1))
    .option('--calib-images <n>', 'BN calibration images from train', intArg('--calib-images', 1))
    .option('--no-quantize', 'score the float subnet (ignore the arch bits)')
    .option('--split <name>', 'split scored: val (search) or test (final reporting only)', 'val')
    .option('--workers <n>', 'worker threads scoring subnets in parallel (one tfjs backend each; 2 uses both cores here)', intArg('--workers', 1))
    .action(async (opts: EvalOpts, cmd: Command) => runEval(opts, globalOptions(cmd).backend));
}
