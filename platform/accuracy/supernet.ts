/**
 * Accuracy from the weight-sharing supernet: a subnet inherits its weights, its batch-norm statistics
 * are recalibrated on training images, and it is scored on the validation split (bits fake-quantised).
 * The checkpoint's recorded accuracy is re-measured first, so a search never trusts weights that do
 * not reproduce their own training record (a passed check is cached for the same weights, data,
 * backend and code: verify-cache.ts). A step's subnets are scored on a worker pool when the
 * machine has several cores; the pool starts with the verification, which runs on one of its
 * workers while the platform goes on building (AccuracySource.ready).
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.ts';
import { layerMacs, type Arch } from '../../core/types.ts';
import { runtime } from '../../runtime/tf.ts';
import { loadDataset } from '../../datasets/registry.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import type { MbconvSpace } from '../../search-space/mbconv.ts';
import { ACCURACY_OBJECTIVE } from '../../estimators/accuracy/accuracy-predictor.ts';
import { loadSupernet, spaceConfigJson } from '../../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../../supernet/embedded.ts';
import { SubnetEvalPool } from '../../supernet/eval-pool.ts';
import { evaluateSubnet } from '../../supernet/evaluate.ts';
import { describeTraining, type TrainConfig } from '../../supernet/train.ts';
import { checkRecorded, verificationOptions, verifyRecordedAccuracy, type AccuracyCheck } from '../../supernet/verify.ts';
import type { AccuracyFactory } from './source.ts';
import { cachedVerification, datasetHash, evaluationCodeHash, storeVerification, type VerificationInputs } from './verify-cache.ts';

export const supernetAccuracy: AccuracyFactory = async (cfg, ctx) => {
  if (ctx.space.name !== 'mbconv') throw new ConfigError('experiment.accuracy.source', 'supernet', 'needs space: mbconv');
  const space = ctx.space as unknown as MbconvSpace;
  const dir = cfg.checkpoint ?? EMBEDDED_SUPERNET_DIR;
  const phase = (name: string, fields?: Record<string, string | number>) => ctx.progress?.({ phase: name, done: 0, total: 0, ...(fields ? { fields } : {}) });
  phase('loading the supernet checkpoint', { dir });
  const { net, space: trained, state } = loadSupernet<Partial<TrainConfig>>(dir);
  try {
    if (JSON.stringify(spaceConfigJson(trained)) !== JSON.stringify(spaceConfigJson(space))) {
      throw new ConfigError('experiment.spaceConfig', space.config, `differs from the space of the supernet in ${dir}`);
    }
    phase(`loading ${state.dataset}`);
    const data = loadDataset(state.dataset);
    const evalData = { train: data.train, val: data.val, norm: state.norm };
    const evalOpts = { valLimit: cfg.valLimit, calibImages: cfg.calibImages, seed: ctx.rng.seed };
    const workers = cfg.workers ?? availableParallelism();
    const sampleSize = Math.min(data.val.n, cfg.valLimit);
    let pool: SubnetEvalPool | undefined;
    // A subnet's score is a function of its arch (seeded calibration images): scored once, so a
    // network verified again with another accelerator costs nothing.
    const scored = new Map<string, number>();
    const keyOf = (a: Arch) => ctx.space.key(a);
    // A step ends when its last worker does: handing out the subnets largest first (MACs, which
    // scoring time follows) lets the small ones fill in behind the big ones instead of one big one
    // running alone at the end (LPT scheduling). A score depends on its arch only, not on the order.
    const macsOf = (a: Arch) => ctx.space.layers(a).reduce((s, l) => s + layerMacs(l), 0);
    const largestFirst = (as: Arch[]) => as.map((a, i) => ({ a, i, m: macsOf(a) })).sort((x, y) => y.m - x.m || x.i - y.i).map((e) => e.a);
    // On several cores the largest subnet is re-measured on a scoring worker (the same figure as
    // here: eval-pool.ts), so the main thread is free meanwhile (createPlatform warms the strategy).
    const startPool = () => (pool ??= new SubnetEvalPool({ checkpoint: dir, backend: runtime().backend, workers }));
    let check: AccuracyCheck | undefined;
    const images = { images: state.options.valLimit ?? data.val.n };
    const last = state.history[state.history.length - 1];
    const inputs: VerificationInputs = {
      weightsSha256: state.weightsSha256, dataset: datasetHash([data.train, data.val]), backend: runtime().backend, code: evaluationCodeHash(),
      settings: { options: verificationOptions(state), norm: state.norm, recorded: last?.valAccuracyLargest ?? null, epoch: last?.epoch ?? null },
    };
    const verify = async (): Promise<void> => {
      const cached = cachedVerification(inputs);
      if (cached) {
        phase('checkpoint verified before: same weights, dataset, backend and evaluation code (.cache/verified)', { at: cached.cachedFrom });
        check = { ...checkRecorded(state, { accuracy: cached.measured, total: cached.images }, dir), cachedFrom: cached.cachedFrom };
        return;
      }
      if (workers <= 1) {
        phase('verifying the checkpoint: re-measuring its largest subnet', images);
        check = verifyRecordedAccuracy(net, trained, state, evalData, dir);
      } else {
        phase('verifying the checkpoint: re-measuring its largest subnet on a scoring worker', images);
        check = checkRecorded(state, await startPool().score(trained.largest(), verificationOptions(state)), dir);
      }
      storeVerification(inputs, check);
    };
    const ready = verify();
    const verifiedOf = (): AccuracyCheck => {
      if (!check) throw new Error('the checkpoint verification has not finished (await AccuracySource.ready)');
      return check;
    };
    return {
      objective: ACCURACY_OBJECTIVE,
      get provenance() {
        const c = verifiedOf();
        return (
          `supernet ${dir} (${state.dataset}, ${describeTraining(state)}; recorded largest-subnet val accuracy ${(100 * c.recorded).toFixed(2)} %, ` +
          `verified ${(100 * c.measured).toFixed(2)} %${c.cachedFrom ? ` (cached from ${c.cachedFrom}: same weights, dataset, backend and evaluation code)` : ''}); subnet = inherited weights + BN recalibration on ${cfg.calibImages} train images, ` +
          `accuracy on ${sampleSize} validation images, bits fake-quantised`
        );
      },
      get verified() {
        return check;
      },
      ready,
      sampleSize,
      score: async (arch) => {
        const known = scored.get(keyOf(arch));
        if (known !== undefined) return known;
        const v = 100 * evaluateSubnet(net, arch as MbconvArch, evalData, evalOpts).accuracy;
        scored.set(keyOf(arch), v);
        return v;
      },
      ...(workers > 1
        ? {
            scoreMany: async (archs: readonly Arch[]) => {
              const todo = largestFirst([...new Map(archs.filter((a) => !scored.has(keyOf(a))).map((a) => [keyOf(a), a])).values()]);
              if (todo.length > 0) {
                const scores = await startPool().scoreAll(todo as unknown as readonly MbconvArch[], evalOpts);
                todo.forEach((a, i) => scored.set(keyOf(a), 100 * (scores[i] as { accuracy: number }).accuracy));
              }
              return archs.map((a) => scored.get(keyOf(a)) as number);
            },
          }
        : {}),
      dispose: () => {
        net.dispose();
        void pool?.close();
      },
    };
  } catch (e) {
    net.dispose();
    throw e;
  }
};
