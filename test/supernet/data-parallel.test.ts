import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import { averageShards, parallelSandwichStep, shardGradients, shardSizes, sliceBatch, type ShardBatch } from '../../supernet/data-parallel.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { DEFAULT_SANDWICH, sandwichArchs } from '../../supernet/sandwich.ts';
import { spaceConfigJson } from '../../supernet/checkpoint.ts';
import { TrainShardPool } from '../../supernet/train-pool.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { tinySpace } from './tiny.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

describe('data-parallel sandwich step', () => {
  const space = tinySpace();
  let net: MbconvSupernet;
  let batch: ShardBatch;
  let archs: MbconvArch[];

  beforeAll(async () => {
    await initTf('wasm');
    net = new MbconvSupernet(space.config, new Rng('dp'));
    const rng = new Rng('dp-batch');
    const n = 7;
    batch = {
      pixels: Float32Array.from({ length: n * 16 * 16 }, () => rng.normal()), labels: Int32Array.from({ length: n }, () => rng.int(10)),
      height: 16, width: 16, channels: 1, maxResolution: 16,
    };
    archs = sandwichArchs({ largest: space.largest(), smallest: space.smallest(), sample: (r) => space.sample(r) }, rng, 2);
  });
  afterAll(() => net.dispose());

  const work = () => ({ archs, numClasses: 10, options: DEFAULT_SANDWICH });
  const flat = (grads: Record<string, tf.Tensor>) => net.params.variables().map((v) => (grads[v.name] ? Array.from(grads[v.name]?.dataSync() ?? []) : null));

  it('cuts a batch into near-equal shards, larger first, none empty', () => {
    expect(shardSizes(64, 2)).toEqual([32, 32]);
    expect(shardSizes(7, 2)).toEqual([4, 3]);
    expect(shardSizes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(shardSizes(1, 4)).toEqual([1]);
  });

  it('averages shards by size: the gradient of the mean loss over the whole batch', () => {
    const a = { grads: Float32Array.of(1, 2, 0), present: Uint8Array.of(1, 0), losses: [1, 2], correct: [3, 1] };
    const b = { grads: Float32Array.of(4, 8, 6), present: Uint8Array.of(0, 1), losses: [4, 5], correct: [1, 1] };
    const avg = averageShards([a, b], [3, 1]);
    expect(Array.from(avg.grads)).toEqual([1.75, 3.5, 1.5]);
    expect(Array.from(avg.present)).toEqual([1, 1]);
    expect(avg.losses).toEqual([1.75, 2.75]);
    expect(avg.correct).toEqual([4, 2]);
  });

  it('one shard is the plain sandwich step; two are the size-weighted mean of each half on its own', async () => {
    const before = tf.memory().numTensors;
    const whole = await parallelSandwichStep(net, batch, 1, work());
    const direct = shardGradients(net, batch, work());
    const flatWhole = flat(whole.grads);
    let off = 0;
    net.params.variables().forEach((v, i) => {
      const g = flatWhole[i];
      expect(g === null ? 0 : 1, v.name).toBe(direct.present[i]);
      if (g) expect(Float32Array.from(g)).toEqual(direct.grads.subarray(off, off + v.size));
      off += v.size;
    });
    expect(whole.losses).toEqual(direct.losses);

    const two = await parallelSandwichStep(net, batch, 2, work());
    const halves = [shardGradients(net, sliceBatch(batch, 0, 4), work()), shardGradients(net, sliceBatch(batch, 4, 3), work())];
    const expected = averageShards(halves, [4, 3]);
    expect(Float32Array.from(flat(two.grads).flatMap((g, i) => g ?? new Array<number>(net.params.variables()[i]?.size ?? 0).fill(0)))).toEqual(expected.grads);
    expect(two.correct).toEqual(expected.correct);
    // BN normalises each shard with its own statistics, so two shards are not the one-shard step
    expect(Float32Array.from(flatWhole.flatMap((g) => g ?? [])).some((x, i) => x !== Float32Array.from(flat(two.grads).flatMap((g) => g ?? []))[i])).toBe(true);
    tf.dispose([...Object.values(whole.grads), ...Object.values(two.grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a worker thread computes the same shard gradients as the main thread', async () => {
    const pool = new TrainShardPool({ backend: 'wasm', spaceConfig: spaceConfigJson(space), supernetOptions: net.options, threads: 1 });
    try {
      const remote = await pool.run(net.params.flatten(), batch, work());
      const local = shardGradients(net, batch, work());
      expect(remote.grads).toEqual(local.grads);
      expect(remote.present).toEqual(local.present);
      expect(remote.losses).toEqual(local.losses);
      const step = await parallelSandwichStep(net, batch, 2, work(), pool);
      const main = await parallelSandwichStep(net, batch, 2, work());
      expect(flat(step.grads)).toEqual(flat(main.grads));
      tf.dispose([...Object.values(step.grads), ...Object.values(main.grads)]);
    } finally {
      await pool.close();
    }
  });
});
