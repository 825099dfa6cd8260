/**
 * The NASWOT zero-cost proxy (Mellor et al. 2021) on one Fashion-MNIST training minibatch, reported
 * as objective `naswot` (log|K|, a score, not a percentage). The minibatch keeps the dataset's own
 * image shape and is resized to each network's input resolution; a network whose stem takes another
 * number of channels is refused when the platform is built.
 */
import { ConfigError } from '../../core/errors.ts';
import { tf } from '../../runtime/tf.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { batchFloat32 } from '../../datasets/types.ts';
import { buildInitNetwork } from '../../estimators/proxies/init-network.ts';
import { naswot } from '../../estimators/proxies/proxies.ts';
import type { AccuracyFactory } from './source.ts';

const DATASET = 'fashion-mnist';

export const naswotAccuracy: AccuracyFactory = async (cfg, { space, rng, progress }) => {
  if (space.name !== 'mbconv') throw new ConfigError('experiment.accuracy.source', 'naswot', `the proxy minibatch is ${DATASET}: needs space: mbconv`);
  progress?.({ phase: `loading ${DATASET}`, done: 0, total: 0 });
  const data = loadDataset(DATASET);
  const { height, width, channels } = data.train;
  const stem = space.layers(space.largest())[0];
  if (stem && stem.c !== channels) {
    throw new ConfigError('experiment.spaceConfig.inputChannels', stem.c, `the network takes ${stem.c} input channel(s); the ${DATASET} minibatch of the naswot proxy has ${channels}`);
  }
  const idx = rng.fork('naswot-batch').sampleIndices(data.train.n, cfg.batch);
  const pixels = batchFloat32(data.train, idx);
  return {
    objective: { name: 'naswot', unit: 'log|K|', direction: 'max' },
    provenance: `naswot:${DATASET} train minibatch of ${cfg.batch}`,
    score: async (arch) => {
      const layers = space.layers(arch);
      const res = layers[0]?.h ?? height;
      const net = buildInitNetwork(layers, rng.fork('naswot-init'));
      const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [cfg.batch, height, width, channels]), [res, res]) as tf.Tensor4D);
      try {
        return naswot(net, x);
      } finally {
        x.dispose();
        net.dispose();
      }
    },
    dispose: () => {},
  };
};
