import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import { loadSupernet, readTrainState, weightsPath } from '../../supernet/checkpoint.ts';
import { trainSupernet, type TrainConfig } from '../../supernet/train.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { Rng } from '../../core/rng.ts';
import { syntheticImages, tinySpace } from './tiny.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

const train = syntheticImages('train', 48);
const val = syntheticImages('val', 16);
const config: Partial<TrainConfig> = { epochs: 2, batchSize: 16, calibImages: 16, randomSubnets: 1, seed: 'resume', warmupEpochs: 0 };
const tmp = () => mkdtempSync(join(tmpdir(), 'supernet-train-'));

describe('trainSupernet', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('2 epochs in one go equal 1 epoch + resume 1 epoch, bit for bit', async () => {
    const space = tinySpace();
    const a = tmp();
    const b = tmp();
    const checkpoints: number[] = [];
    const progress: string[] = [];
    const before = tf.memory().numTensors;
    const full = await trainSupernet({ space, dataset: 'synthetic', train, val, out: a, config, onCheckpoint: (c) => void checkpoints.push(c.epochsDone), onProgress: (u) => progress.push(u.phase) });
    expect(tf.memory().numTensors).toBe(before);
    expect(full.history).toHaveLength(2);
    expect(checkpoints).toEqual([1, 2]);
    expect(progress).toContain('epoch 2/2');
    const first = await trainSupernet({ space, dataset: 'synthetic', train, val, out: b, config, stopAfter: 1 });
    expect(first.epochsDone).toBe(1);
    expect(readTrainState(b).epochsDone).toBe(1);
    const resumed = await trainSupernet({ dataset: 'synthetic', train, val, out: b, resume: true });
    expect(resumed.epochsDone).toBe(2);
    const wa = readFileSync(weightsPath(a));
    const wb = readFileSync(weightsPath(b));
    expect(wb.equals(wa)).toBe(true);
    expect(readTrainState(b).history).toEqual(readTrainState(a).history.map((r, i) => ({ ...r, imagesPerSecond: readTrainState(b).history[i]?.imagesPerSecond, seconds: readTrainState(b).history[i]?.seconds })));
    // and training moved the weights away from their initial values
    const init = tmp();
    await trainSupernet({ space, dataset: 'synthetic', train, val, out: init, config: { ...config, lr: 1e-9 }, stopAfter: 1 });
    expect(readFileSync(weightsPath(init)).equals(wa)).toBe(false);
    const { net } = loadSupernet(a);
    expect(net.params.count()).toBeGreaterThan(1000);
    net.dispose();
  });

  it('shards computed on a worker thread give the weights of shards computed on the main thread, bit for bit', async () => {
    const space = tinySpace();
    const one = tmp();
    const two = tmp();
    const cfg = { ...config, epochs: 1, shards: 2 };
    await trainSupernet({ space, dataset: 'synthetic', train, val, out: one, config: cfg, workers: 1 });
    await trainSupernet({ space, dataset: 'synthetic', train, val, out: two, config: cfg, workers: 2 });
    expect(readFileSync(weightsPath(two)).equals(readFileSync(weightsPath(one)))).toBe(true);
    expect(readTrainState<TrainConfig>(two).options.shards).toBe(2);
    // sharding is part of the run: one shard (whole-batch BN statistics) trains other weights
    const whole = tmp();
    await trainSupernet({ space, dataset: 'synthetic', train, val, out: whole, config: { ...cfg, shards: 1 }, workers: 2 });
    expect(readFileSync(weightsPath(whole)).equals(readFileSync(weightsPath(one)))).toBe(false);
  });

  it('stand-alone mode trains one subnet alone: only the weights it uses move, and the record says so', async () => {
    const space = tinySpace();
    const subnet = space.smallest();
    const dir = tmp();
    const run = await trainSupernet({ space, dataset: 'synthetic', train, val, out: dir, config: { ...config, epochs: 1, subnet } });
    expect(run.history[0]?.valAccuracyLargest).toBeGreaterThanOrEqual(0);
    expect(run.history[0]?.valAccuracySmallest).toBe(run.history[0]?.valAccuracyLargest);
    expect(readTrainState<TrainConfig>(dir).options.subnet).toEqual(subnet);
    const { net } = loadSupernet(dir);
    const init = new MbconvSupernet(space.config, new Rng(config.seed as string).fork('init'));
    try {
      // depth 1 per stage: the second block of each stage is never run, so its weights stay at init
      const unused = net.params.names().filter((n) => /block1\./.test(n));
      const used = net.params.names().filter((n) => /^stage0\.block0\.expand\.w$|^fc\.w$/.test(n));
      expect(unused.length).toBeGreaterThan(0);
      expect(used).toHaveLength(2);
      const same = (n: string) => tf.tidy(() => tf.max(tf.abs(tf.sub(net.params.get(n), init.params.get(n)))).dataSync()[0] as number) === 0;
      for (const n of unused) expect(same(n), n).toBe(true);
      for (const n of used) expect(same(n), n).toBe(false);
    } finally {
      net.dispose();
      init.dispose();
    }
  });

  it('rejects bad options and a resume on another dataset', async () => {
    await expect(trainSupernet({ space: tinySpace(), dataset: 'synthetic', train, val, out: tmp(), config: { batchSize: 0 } })).rejects.toThrow(ConfigError);
    await expect(trainSupernet({ space: tinySpace(), dataset: 'synthetic', train, val, out: tmp(), config: { shards: 0 } })).rejects.toThrow(/shards/);
    await expect(trainSupernet({ space: tinySpace(), dataset: 'synthetic', train, val, out: tmp(), config, workers: 0 })).rejects.toThrow(/workers/);
    const dir = tmp();
    await trainSupernet({ space: tinySpace(), dataset: 'synthetic', train, val, out: dir, config: { ...config, epochs: 1, valLimit: 4 } });
    await expect(trainSupernet({ dataset: 'other', train, val, out: dir, resume: true })).rejects.toThrow(/dataset/);
  });
});
