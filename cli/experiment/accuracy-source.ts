/**
 * Where a search's accuracy comes from, as one async function per candidate network:
 * the NAS-Bench-201 table (ground truth), the supernet (inherited weights), the stored accuracy
 * predictor, or the NASWOT zero-cost proxy (reported as objective `naswot`, not `accuracy`).
 */
import { tf } from '../../core/tf.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Arch, JsonObject, Objective } from '../../core/types.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { batchFloat32 } from '../../datasets/types.ts';
import type { NetworkSpace } from '../../search-space/space.ts';
import { loadNb201Table } from '../../search-space/nb201-table.ts';
import type { Nb201Arch } from '../../search-space/nb201-arch.ts';
import { loadSupernet } from '../../search-space/supernet/checkpoint.ts';
import { evaluateSubnet } from '../../search-space/supernet/evaluate.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import type { Storage } from '../../storage/storage.ts';
import { AccuracyPredictor, ACCURACY_OBJECTIVE, type AccuracyPredictorMeta } from '../../estimators/accuracy/accuracy-predictor.ts';
import { buildInitNetwork } from '../../estimators/proxies/init-network.ts';
import { naswot } from '../../estimators/proxies/proxies.ts';
import type { ExperimentConfig } from './config.ts';

export interface AccuracySource {
  readonly objective: Objective;
  readonly provenance: string;
  score(arch: Arch): Promise<number>;
  dispose(): void;
}

type AccuracyConfig = NonNullable<ExperimentConfig['accuracy']>;

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
      if (!cfg.checkpoint) throw new ConfigError('experiment.accuracy.checkpoint', undefined, 'the supernet source needs a checkpoint directory');
      const { net, state } = loadSupernet(cfg.checkpoint);
      const data = loadDataset(state.dataset);
      return {
        objective: ACCURACY_OBJECTIVE,
        provenance: `supernet:${cfg.checkpoint} (${state.dataset}, val ${cfg.valLimit}, calib ${cfg.calibImages})`,
        score: async (arch) =>
          100 * evaluateSubnet(net, arch as MbconvArch, { train: data.train, val: data.val, norm: state.norm }, { valLimit: cfg.valLimit, calibImages: cfg.calibImages, seed }).accuracy,
        dispose: () => net.dispose(),
      };
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
