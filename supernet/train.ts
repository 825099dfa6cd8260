/**
 * Supernet training service (issue 3 item 3), shared by `nas supernet train` and any other caller:
 * sandwich rule with in-place distillation each step, SGD-Nesterov with cosine learning rate and
 * warm-up, a checkpoint at the end of every epoch, and exact resume (weights, optimizer velocities
 * and the single training Rng — which drives shuffling, augmentation and subnet sampling — are all
 * restored, so an interrupted run continues on the very same trajectory).
 */
import { runtime, tf } from '../runtime/tf.ts';
import { ConfigError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { ProgressFn } from '../core/progress.ts';
import type { ImageDataset } from '../datasets/types.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { batchPixels, labelArray, pixelStats, type Augment, type Normalisation } from './batches.ts';
import {
  type EpochRecord, hasCheckpoint, type TrainState, loadOptimizerState, loadSupernet, readTrainState, restoreRng, saveTrainCheckpoint, spaceConfigJson,
} from './checkpoint.ts';
import { evaluateSubnet } from './evaluate.ts';
import { MbconvSupernet } from './mbconv-supernet.ts';
import { cosineLr, DEFAULT_SGD, Sgd } from './optimizer.ts';
import { sandwichArchs } from './sandwich.ts';
import { parallelSandwichStep, type ShardBatch } from './data-parallel.ts';
import { TrainShardPool } from './train-pool.ts';
import { sortMiddleChannels } from './channel-sort.ts';

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly warmupEpochs: number;
  readonly seed: string;
  readonly randomSubnets: number;
  readonly kdRatio: number;
  readonly labelSmoothing: number;
  readonly augment: Augment;
  /** Train on the first N training images only (small runs, tests). */
  readonly trainLimit?: number;
  /** Validation images scored per epoch for largest/smallest (default: all). */
  readonly valLimit?: number;
  readonly calibImages: number;
  readonly kernelTransform: boolean;
  /**
   * Stand-alone training of this one subnet (labels only, no sandwich, no distillation) on the same
   * pipeline: the baseline that the supernet's rank fidelity is measured against. Kept in the
   * checkpoint's options so a resumed run stays stand-alone.
   */
  readonly subnet?: MbconvArch;
  /**
   * Quantisation-aware sandwich training: every member runs fake-quantised at its own weight and
   * activation bits (straight-through gradients), so the low-bit subnets learn to live with the
   * rounding that post-training quantisation would otherwise add at evaluation.
   */
  readonly qat: boolean;
  /**
   * Reorder each block's hidden channels by importance at the start of every epoch after the first
   * (channel-sort.ts; OFA's re_organize_middle_weights), so smaller expand ratios and widths keep
   * the most important channels. Absent in checkpoints written before it existed: off for them.
   */
  readonly sortChannels?: boolean;
  /**
   * Shards per batch (data-parallel.ts): each runs the whole sandwich on its part of the batch, with
   * its own BN batch statistics, and their gradients are averaged — so shards can run on both cores.
   * Part of the trajectory, unlike the number of threads running them. Absent in checkpoints written
   * before it existed: 1 for them.
   */
  readonly shards?: number;
  /** Set when training started from another checkpoint's weights (`TrainRequest.init`): its provenance. */
  readonly init?: InitRecord;
}

/** Where a fine-tuning run's starting weights came from. */
export interface InitRecord {
  readonly dir: string;
  readonly weightsSha256: string;
  readonly epochsDone: number;
  readonly qat: boolean;
}

export const DEFAULT_TRAIN: TrainConfig = {
  epochs: 5,
  batchSize: 64,
  lr: 0.05,
  warmupEpochs: 1,
  seed: 'supernet',
  randomSubnets: 2,
  kdRatio: 1,
  labelSmoothing: 0.1,
  augment: { flip: true, shift: 2 },
  calibImages: 512,
  kernelTransform: true,
  qat: false,
  sortChannels: true,
  shards: 2,
};

/**
 * Defaults that change when a run starts from trained weights (`TrainRequest.init`): a fifth of the
 * base rate, as QAT fine-tuning usually runs at ≈ 1/10–1/5 of the original rate (Krishnamoorthi
 * 2018), and a short warm-up so the fresh momentum does not kick the trained weights.
 */
export const FINETUNE_DEFAULTS: Partial<TrainConfig> = { lr: 0.01, warmupEpochs: 0.1 };

export interface TrainRequest {
  /** The mbconv space (default: the default space). On resume the checkpoint's space is used. */
  readonly space?: MbconvSpace;
  readonly dataset: string;
  readonly train: ImageDataset;
  readonly val: ImageDataset;
  /** Checkpoint directory (written every epoch). */
  readonly out: string;
  readonly config?: Partial<TrainConfig>;
  /** Continue from the checkpoint in `out` (its config wins, except `epochs` which may be raised). */
  readonly resume?: boolean;
  /**
   * Start a new run (fresh schedule, optimizer and Rng) from the weights of the checkpoint in this
   * directory — fine-tuning, e.g. a quantisation-aware phase after float training. The space and the
   * input normalisation are the checkpoint's; its dataset must match.
   */
  readonly init?: string;
  /**
   * Threads computing the shards of each step, the main thread included (default 1). Not part of
   * the trajectory: any count gives the same weights, so a resumed run may use another.
   */
  readonly workers?: number;
  /** Stop after this many epochs in this call (the schedule still spans `epochs`). */
  readonly stopAfter?: number;
  readonly onProgress?: ProgressFn;
  /** Called after each checkpoint is written (the CLI records it in the database). */
  readonly onCheckpoint?: (info: CheckpointInfo) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

export interface CheckpointInfo {
  readonly path: string;
  readonly sha256: string;
  readonly dir: string;
  readonly epochsDone: number;
  readonly record: EpochRecord;
  /** The run's training options (as stored in the checkpoint). */
  readonly config: TrainConfig;
}

export interface TrainResult {
  readonly epochsDone: number;
  readonly history: readonly EpochRecord[];
  readonly dir: string;
}

/** How a checkpoint's weights were trained, for provenance: "6 epochs + 2 quantisation-aware epochs". */
export function describeTraining(state: TrainState<Partial<TrainConfig>>): string {
  const epochs = (n: number, qat: boolean | undefined) => `${n}${qat ? ' quantisation-aware' : ''} epoch${n === 1 ? '' : 's'}`;
  const own = epochs(state.epochsDone, state.options.qat);
  const init = state.options.init;
  return init ? `${epochs(init.epochsDone, init.qat)} + ${own} from them` : own;
}

function check(cfg: TrainConfig): void {
  const posInt = (f: keyof TrainConfig) => {
    const v = cfg[f] as number;
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(f, v, 'must be a positive integer');
  };
  posInt('epochs');
  posInt('batchSize');
  posInt('calibImages');
  if (!(cfg.lr > 0)) throw new ConfigError('lr', cfg.lr, 'must be positive');
  if (cfg.trainLimit !== undefined) posInt('trainLimit');
  if (cfg.valLimit !== undefined) posInt('valLimit');
  if (cfg.shards !== undefined) posInt('shards');
}

/** Weight decay only on conv/FC weights: BN affine terms, biases and kernel transforms are exempt. */
function noDecayNames(net: MbconvSupernet): Set<string> {
  return new Set(net.params.names().filter((n) => /\.bn\.|\.b$|\.t\d+$/.test(n)));
}

export async function trainSupernet(req: TrainRequest): Promise<TrainResult> {
  let net: MbconvSupernet;
  let cfg: TrainConfig;
  let rng: Rng;
  let startEpoch = 0;
  let step = 0;
  let history: EpochRecord[] = [];
  const sgd = new Sgd(DEFAULT_SGD);
  let norm: Normalisation;
  let space = req.space ?? new MbconvSpace();
  if (req.resume && hasCheckpoint(req.out)) {
    const previous = readTrainState(req.out).dataset;
    if (previous !== req.dataset) throw new ConfigError('dataset', req.dataset, `checkpoint ${req.out} was trained on ${previous}`);
    const loaded = loadSupernet<TrainConfig>(req.out);
    net = loaded.net;
    space = loaded.space;
    cfg = { ...loaded.state.options, ...(req.config?.epochs ? { epochs: req.config.epochs } : {}) };
    if (req.init !== undefined && cfg.init?.dir !== req.init) {
      net.dispose();
      throw new ConfigError('init', req.init, `differs from the start of the checkpoint being resumed (${cfg.init?.dir ?? 'trained from scratch'})`);
    }
    try {
      loadOptimizerState(req.out, loaded.state, sgd);
    } catch (e) {
      net.dispose();
      throw e;
    }
    rng = restoreRng(loaded.state);
    startEpoch = loaded.state.epochsDone;
    step = loaded.state.step;
    history = [...loaded.state.history];
    norm = loaded.state.norm;
  } else if (req.init !== undefined) {
    const from = readTrainState<TrainConfig>(req.init);
    if (from.dataset !== req.dataset) throw new ConfigError('init', req.init, `checkpoint was trained on ${from.dataset}, not ${req.dataset}`);
    const loaded = loadSupernet<TrainConfig>(req.init);
    net = loaded.net;
    space = loaded.space;
    norm = loaded.state.norm;
    const init: InitRecord = { dir: req.init, weightsSha256: from.weightsSha256, epochsDone: from.epochsDone, qat: from.options.qat ?? false };
    cfg = { ...DEFAULT_TRAIN, ...FINETUNE_DEFAULTS, kernelTransform: loaded.state.supernetOptions.kernelTransform, ...req.config, init };
    rng = new Rng(cfg.seed);
  } else {
    cfg = { ...DEFAULT_TRAIN, ...req.config };
    check(cfg);
    rng = new Rng(cfg.seed);
    norm = pixelStats(req.train);
    net = new MbconvSupernet(space.config, rng.fork('init'), { kernelTransform: cfg.kernelTransform });
  }
  check(cfg);
  const n = Math.min(req.train.n, cfg.trainLimit ?? req.train.n);
  const stepsPerEpoch = Math.ceil(n / cfg.batchSize);
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const noDecay = noDecayNames(net);
  const subnet = cfg.subnet === undefined ? undefined : space.validate(cfg.subnet);
  const members = subnet
    ? { largest: subnet, sample: () => subnet }
    : { largest: space.largest(), smallest: space.smallest(), sample: (r: Rng) => space.sample(r) };
  const sandwich = subnet ? { ...cfg, randomSubnets: 0, kdRatio: 0 } : cfg;
  const maxRes = Math.max(...space.config.resolutions);
  const shards = cfg.shards ?? 1;
  const workers = req.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError('workers', workers, 'must be a positive integer');
  const threads = Math.min(workers, shards) - 1;
  const pool = threads > 0
    ? new TrainShardPool({ backend: runtime().backend, spaceConfig: spaceConfigJson(space), supernetOptions: net.options, threads })
    : undefined;
  const lastEpoch = Math.min(cfg.epochs, req.stopAfter !== undefined ? startEpoch + req.stopAfter : cfg.epochs);
  try {
    for (let epoch = startEpoch; epoch < lastEpoch; epoch++) {
      if (req.signal?.aborted) break;
      const t0 = performance.now();
      if (cfg.sortChannels && !subnet && (epoch > 0 || cfg.init)) sortMiddleChannels(net, sgd);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      rng.shuffleInPlace(order);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (req.signal?.aborted) break;
        const idx = order.subarray(b * cfg.batchSize, Math.min(n, (b + 1) * cfg.batchSize));
        const batch: ShardBatch = {
          pixels: batchPixels(req.train, idx, norm, cfg.augment, rng), labels: labelArray(req.train, idx),
          height: req.train.height, width: req.train.width, channels: req.train.channels, maxResolution: maxRes,
        };
        const archs = sandwichArchs(members, rng, sandwich.randomSubnets);
        const res = await parallelSandwichStep(net, batch, shards, { archs, numClasses: space.config.numClasses, options: sandwich }, pool);
        sgd.apply(net.params.variables(), res.grads, cosineLr(step, totalSteps, cfg.lr, cfg.warmupEpochs * stepsPerEpoch), noDecay);
        tf.dispose(Object.values(res.grads));
        lossSum += (res.losses[0] as number) * idx.length;
        correct += res.correct[0] as number;
        seen += idx.length;
        step++;
        const secs = (performance.now() - t0) / 1000;
        req.onProgress?.({
          phase: `epoch ${epoch + 1}/${cfg.epochs}`,
          done: b + 1,
          total: stepsPerEpoch,
          fields: { loss: lossSum / seen, acc: correct / seen, 'img/s': seen / Math.max(secs, 1e-9) },
        });
        // yield to the event loop so Ctrl-C (abort) and progress rendering get a turn
        await new Promise<void>((r) => setImmediate(r));
      }
      if (seen < n) break; // aborted mid-epoch: keep the last complete checkpoint
      const trainSecs = (performance.now() - t0) / 1000;
      const evalOpts = { calibImages: cfg.calibImages, valLimit: cfg.valLimit, seed: `${cfg.seed}:calibration` };
      const data = { train: req.train, val: req.val, norm };
      req.onProgress?.({ phase: `epoch ${epoch + 1}/${cfg.epochs} validation`, done: 0, total: 2 });
      const largest = req.val.n > 0 ? evaluateSubnet(net, members.largest, data, evalOpts).accuracy : NaN;
      // stand-alone: the one trained network is both the largest and the smallest of its family
      const smallest = !members.smallest ? largest : req.val.n > 0 ? evaluateSubnet(net, members.smallest, data, evalOpts).accuracy : NaN;
      const record: EpochRecord = {
        epoch: epoch + 1, loss: lossSum / seen, trainAccuracy: correct / seen,
        valAccuracyLargest: largest, valAccuracySmallest: smallest,
        imagesPerSecond: seen / trainSecs, seconds: trainSecs,
      };
      history.push(record);
      const saved = saveTrainCheckpoint(req.out, net, sgd, rng, {
        dataset: req.dataset, spaceConfig: spaceConfigJson(space), supernetOptions: net.options, norm,
        options: cfg, epochsDone: epoch + 1, step, history,
      });
      await req.onCheckpoint?.({ ...saved, dir: req.out, epochsDone: epoch + 1, record, config: cfg });
    }
  } finally {
    await pool?.close();
    sgd.dispose();
    net.dispose();
  }
  return { epochsDone: history.length ? (history[history.length - 1] as EpochRecord).epoch : startEpoch, history, dir: req.out };
}
