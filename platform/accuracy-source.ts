/**
 * Where a search's accuracy comes from, as one async function per candidate network:
 * the NAS-Bench-201 table (ground truth), the supernet (inherited weights), the stored accuracy
 * predictor, or the NASWOT zero-cost proxy (reported as objective `naswot`, not `accuracy`).
 */
import { availableParallelism } from 'node:os';
import { runtime, tf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { ConfigError, NotFoundError } from '../core/errors.ts';
import type { Arch, JsonObject, Objective } from '../core/types.ts';
import { loadDataset } from '../datasets/registry.ts';
import { batchFloat32 } from '../datasets/types.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import { loadNb201Table } from '../search-space/nb201-table.ts';
import type { Nb201Arch } from '../search-space/nb201-arch.ts';
import { loadSupernet, spaceConfigJson } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { verifyRecordedAccuracy, type AccuracyCheck } from '../supernet/verify.ts';
import { describeTraining, type TrainConfig } from '../supernet/train.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { evaluateSubnet } from '../supernet/evaluate.ts';
import { SubnetEvalPool } from '../supernet/eval-pool.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import type { Storage } from '../storage/storage.ts';
import { AccuracyPredictor, ACCURACY_OBJECTIVE, type AccuracyPredictorMeta } from '../estimators/accuracy/accuracy-predictor.ts';
import { buildInitNetwork } from '../estimators/proxies/init-network.ts';
import { naswot } from '../estimators/proxies/proxies.ts';
import type { ExperimentConfig } from './config.ts';

export interface AccuracySource {
  readonly objective: Objective;
  readonly provenance: string;
  /** supernet: the checkpoint's recorded accuracy, re-measured before use. */
  readonly verified?: AccuracyCheck;
  score(arch: Arch): Promise<number>;
  /** Many archs at once, in parallel where the source can (the supernet's worker pool); same values as `score`. */
  scoreMany?(archs: readonly Arch[]): Promise<number[]>;
  dispose(): void;
}

type AccuracyConfig = NonNullable<ExperimentConfig['accuracy']>;

const verified = new Map<string, AccuracyCheck>();

export async function createAccuracySource(cfg: AccuracyConfig, space: NetworkSpace<Arch>, storage: Storage, seed: number): Promise<AccuracySource> {
  switch (cfg.source) {
    case 'nb201': {
      if (space.name !== 'nb201') throw new ConfigError('experiment.accuracy.source', 'nb201', 'needs space: nb201');
      const table = loadNb201Table(cfg.nb201Csv);
      return {
        objective: ACCURACY_OBJECTIVE,
        provenance: `nb201:${cfg.nb201Dataset}:${table.path}`,
        score: async (arch) => table.accuracyOf(arch as Nb201Arch, cfg.nb201Dataset),
        dispose: () => {},
      };
    }
    case 'supernet': {
      if (space.name !== 'mbconv') throw new ConfigError('experiment.accuracy.source', 'supernet', 'needs space: mbconv');
      const dir = cfg.checkpoint ?? EMBEDDED_SUPERNET_DIR;
      const { net, space: trained, state } = loadSupernet<Partial<TrainConfig>>(dir);
      try {
        const want = JSON.stringify(spaceConfigJson(space as unknown as MbconvSpace));
        if (JSON.stringify(spaceConfigJson(trained)) !== want) {
          throw new ConfigError('experiment.spaceConfig', (space as unknown as MbconvSpace).config, `differs from the space of the supernet in ${dir}`);
        }
        const data = loadDataset(state.dataset);
        const evalData = { train: data.train, val: data.val, norm: state.norm };
        const evalOpts = { valLimit: cfg.valLimit, calibImages: cfg.calibImages, seed };
        const workers = cfg.workers ?? availableParallelism();
        let pool: SubnetEvalPool | undefined;
        // `nas search` builds the platform twice (validate, then run): verify each checkpoint once
        const memoKey = `${state.weightsSha256}:${runtime().backend}`;
        const check = verified.get(memoKey) ?? verifyRecordedAccuracy(net, trained, state, evalData, dir);
        verified.set(memoKey, check);
        return {
          objective: ACCURACY_OBJECTIVE,
          provenance:
            `supernet ${dir} (${state.dataset}, ${describeTraining(state)}; recorded largest-subnet val accuracy ${(100 * check.recorded).toFixed(2)} %, ` +
            `verified ${(100 * check.measured).toFixed(2)} %); subnet = inherited weights + BN recalibration on ${cfg.calibImages} train images, ` +
            `accuracy on ${cfg.valLimit} validation images, bits fake-quantised`,
          verified: check,
          score: async (arch) => 100 * evaluateSubnet(net, arch as MbconvArch, evalData, evalOpts).accuracy,
          ...(workers > 1
            ? {
                scoreMany: async (archs: readonly Arch[]) => {
                  // started on first use: building the platform to validate a config spawns no threads
                  pool ??= new SubnetEvalPool({ checkpoint: dir, backend: runtime().backend, workers });
                  return (await pool.scoreAll(archs as readonly MbconvArch[], evalOpts)).map((s) => 100 * s.accuracy);
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
    }
    case 'predictor': {
      const rec = (await storage.listPredictors('accuracy')).find((p) => (p.metadata as JsonObject | null)?.['space'] === space.name);
      if (!rec?.blob) throw new NotFoundError(`accuracy predictor for space ${space.name} (run \`nas predictor train --kind accuracy\`)`, space.name);
      const predictor = AccuracyPredictor.deserialize(space, rec.metadata as AccuracyPredictorMeta, rec.blob);
      return {
        objective: ACCURACY_OBJECTIVE,
        provenance: `predictor#${rec.id}:${predictor.meta.source}`,
        score: async (arch) => predictor.predict([arch])[0] as number,
        dispose: () => predictor.dispose(),
      };
    }
    case 'naswot': {
      if (space.name !== 'mbconv') throw new ConfigError('experiment.accuracy.source', 'naswot', 'the proxy minibatch is Fashion-MNIST (28×28×1): needs space: mbconv');
      const data = loadDataset('fashion-mnist');
      const idx = new Rng(seed).fork('naswot-batch').sampleIndices(data.train.n, cfg.batch);
      const pixels = batchFloat32(data.train, idx);
      return {
        objective: { name: 'naswot', unit: 'log|K|', direction: 'max' },
        provenance: `naswot:fashion-mnist train minibatch of ${cfg.batch}`,
        score: async (arch) => {
          const layers = space.layers(arch);
          const res = layers[0]?.h ?? 28;
          const net = buildInitNetwork(layers, new Rng(seed).fork('naswot-init'));
          const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [cfg.batch, 28, 28, 1]), [res, res]) as tf.Tensor4D);
          try {
            return naswot(net, x);
          } finally {
            x.dispose();
            net.dispose();
          }
        },
        dispose: () => {},
      };
    }
  }
}
