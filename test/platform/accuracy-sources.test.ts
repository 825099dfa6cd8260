/**
 * The accuracy-source registry through the real platform: the NASWOT source scores networks on a
 * Fashion-MNIST minibatch of the dataset's own shape, and refuses at build time (before anything is
 * written) a network whose stem takes another number of channels; the predictor source reads
 * through its read-only port and names what is missing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
import { initTf } from '../../runtime/tf.ts';
import { parseExperiment } from '../../platform/config.ts';
import { createPlatform } from '../../platform/create-platform.ts';
import { accuracySourceNames, createAccuracySource } from '../../platform/accuracy/registry.ts';
import { experimentSchema } from '../../platform/config.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { MemoryStorage } from '../../storage/memory.ts';
installKernels();

const small = { resolutions: [12, 16], stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16 };
const experiment = (spaceConfig: object, source: string) => parseExperiment({
  seed: 3, space: 'mbconv', spaceConfig, accuracy: { source, batch: 8 }, hardware: { mode: 'none' },
  strategy: { name: 'random' }, objectives: [source === 'naswot' ? 'naswot' : 'accuracy', 'macs_m'], budget: 2,
});

beforeAll(async () => {
  await initTf('wasm');
});

describe('accuracy sources', () => {
  it('the registry knows exactly the sources the experiment schema accepts', () => {
    const schemaSources = experimentSchema.shape.accuracy.unwrap().shape.source.options;
    expect([...accuracySourceNames()].sort()).toEqual([...schemaSources].sort());
  });

  it('an unknown source is a ConfigError naming experiment.accuracy.source', async () => {
    const cfg = { ...experiment(small, 'naswot').accuracy!, source: 'oracle' } as never;
    await expect(createAccuracySource(cfg, { space: new MbconvSpace(small), rng: new Rng(1), predictors: new MemoryStorage() })).rejects.toThrow(/experiment\.accuracy\.source/);
  });

  it('naswot scores a network, the same for the same seed', async () => {
    const scores: number[] = [];
    for (let i = 0; i < 2; i++) {
      const platform = await createPlatform(experiment(small, 'naswot'), { predictors: new MemoryStorage() });
      try {
        const arch = platform.space.sample(new Rng(7));
        const m = await platform.evaluate(arch);
        expect(Number.isFinite(m['naswot'])).toBe(true);
        scores.push(m['naswot'] as number);
      } finally {
        platform.dispose();
      }
    }
    expect(scores[1]).toBe(scores[0]);
  });

  it('naswot refuses a three-channel network before the search starts, naming the field', async () => {
    const err = await createPlatform(experiment({ ...small, inputChannels: 3 }, 'naswot'), { predictors: new MemoryStorage() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('experiment.spaceConfig.inputChannels');
  });

  it('predictor: without a stored accuracy predictor for the space, a NotFoundError says how to train one', async () => {
    const err = await createPlatform(experiment(small, 'predictor'), { predictors: new MemoryStorage() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/nas predictor train --kind accuracy/);
  });
});
