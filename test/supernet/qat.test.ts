import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { loadSupernet, readTrainState } from '../../supernet/checkpoint.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import {
  DEPTHWISE_CHANNEL_AXIS, fakeQuantActivation, fakeQuantWeights, steQuantActivation, steQuantWeights,
} from '../../supernet/quantize.ts';
import { describeTraining, trainSupernet, type TrainConfig } from '../../supernet/train.ts';
import { syntheticBatch, syntheticImages, tinySpace } from './tiny.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

const tmp = () => mkdtempSync(join(tmpdir(), 'supernet-qat-'));
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

describe('quantisation-aware training', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('straight-through quantisers: forward equals the fake quantiser, gradient passes inside the range only', () => {
    const w = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 4 }, (_, i) => Math.sin(i * 1.7)), [2, 2, 3, 4]);
    const q = steQuantWeights(w, 4);
    expect(maxDiff(q, fakeQuantWeights(w, 4))).toBe(0);
    expect(maxDiff(q, w)).toBeGreaterThan(0);
    const gw = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(steQuantWeights(x, 4), 3)))(w);
    expect(maxDiff(gw, tf.fill(w.shape, 3))).toBe(0); // plain rounding would give zero gradient
    const a = tf.tensor1d([0, 0.5, 1.2, 2.9, 3.5]);
    expect(maxDiff(steQuantActivation(a, 4, 3, false), fakeQuantActivation(a, 4, 3))).toBe(0);
    const ga = tf.grad((x: tf.Tensor) => tf.sum(steQuantActivation(x, 4, 3, false)))(a);
    expect(Array.from(ga.dataSync())).toEqual([1, 1, 1, 1, 0]); // 3.5 is clipped: no gradient
    const s = tf.tensor1d([-4, -1, 0.3, 2]);
    const gs = tf.grad((x: tf.Tensor) => tf.sum(steQuantActivation(x, 4, 3, true)))(s);
    expect(Array.from(gs.dataSync())).toEqual([0, 1, 1, 1]);
    tf.dispose([w, q, gw, a, ga, s, gs]);
  });

  it('depthwise kernels are quantised per channel, not per tensor', () => {
    // channel 0 has tiny weights, channel 1 large ones: per tensor, channel 0 would round to zero at 4 bits
    const w = tf.tensor4d([0.01, 1, -0.02, -2, 0.015, 1.5, 0.005, 0.5], [2, 2, 2, 1]);
    const perChannel = fakeQuantWeights(w, 4, DEPTHWISE_CHANNEL_AXIS);
    const perTensor = fakeQuantWeights(w, 4);
    const ch0 = (t: tf.Tensor) => Array.from(tf.tidy(() => tf.slice(t, [0, 0, 0, 0], [-1, -1, 1, -1]).dataSync()));
    expect(ch0(perTensor).every((v) => v === 0)).toBe(true);
    expect(ch0(perChannel).filter((v) => v !== 0).length).toBeGreaterThanOrEqual(3);
    tf.dispose([w, perChannel, perTensor]);
  });

  it('a QAT forward of a low-bit subnet differs from the float one; an 8-bit subnet trains in float', () => {
    const space = tinySpace();
    const net = new MbconvSupernet(space.config, new Rng('qat'));
    try {
      const { x } = syntheticBatch('qat-x', 8, space.smallest().resolution);
      const low = space.smallest(); // 4-bit weights and activations
      const float = net.forward(x, low, { kind: 'train' });
      const qat = net.forward(x, low, { kind: 'train', quantize: true });
      expect(maxDiff(float, qat)).toBeGreaterThan(1e-4);
      const high = { ...low, stages: low.stages.map((st) => ({ ...st, blocks: st.blocks.map((b) => ({ ...b, wbits: 8, abits: 8 })) })) };
      const f8 = net.forward(x, high, { kind: 'train' });
      const q8 = net.forward(x, high, { kind: 'train', quantize: true });
      expect(maxDiff(f8, q8)).toBe(0);
      tf.dispose([x, float, qat, f8, q8]);
    } finally {
      net.dispose();
    }
  });

  it('--init fine-tunes from a checkpoint: starts from its weights, records where they came from, resumes exactly', async () => {
    const space = tinySpace();
    const train = syntheticImages('train', 32);
    const val = syntheticImages('val', 8);
    const config: Partial<TrainConfig> = { epochs: 1, batchSize: 16, calibImages: 8, randomSubnets: 1, seed: 'qat', warmupEpochs: 0 };
    const base = tmp();
    await trainSupernet({ space, dataset: 'synthetic', train, val, out: base, config });
    const tuned = tmp();
    // a learning rate of ~0 keeps the weights where --init put them: they must be the base checkpoint's, not a fresh init
    // (channel sorting off: it would relabel the hidden channels at the start)
    await trainSupernet({ dataset: 'synthetic', train, val, out: tuned, init: base, config: { ...config, qat: true, lr: 1e-12, sortChannels: false } });
    const a = loadSupernet(base).net;
    const b = loadSupernet(tuned).net;
    try {
      for (const n of a.params.names()) expect(maxDiff(a.params.get(n), b.params.get(n)), n).toBeLessThan(1e-6);
    } finally {
      a.dispose();
      b.dispose();
    }
    const state = readTrainState<TrainConfig>(tuned);
    expect(state.options.qat).toBe(true);
    expect(state.options.init).toMatchObject({ dir: base, weightsSha256: readTrainState(base).weightsSha256, epochsDone: 1, qat: false });
    expect(state.norm).toEqual(readTrainState(base).norm);
    expect(describeTraining(state)).toBe('1 epoch + 1 quantisation-aware epoch from them');
    // two QAT epochs at once equal one + resume one, bit for bit
    const full = tmp();
    const half = tmp();
    await trainSupernet({ dataset: 'synthetic', train, val, out: full, init: base, config: { ...config, epochs: 2, qat: true } });
    await trainSupernet({ dataset: 'synthetic', train, val, out: half, init: base, config: { ...config, epochs: 2, qat: true }, stopAfter: 1 });
    await trainSupernet({ dataset: 'synthetic', train, val, out: half, init: base, resume: true });
    expect(readTrainState(half).weightsSha256).toBe(readTrainState(full).weightsSha256);
    await expect(trainSupernet({ dataset: 'synthetic', train, val, out: half, init: tuned, resume: true })).rejects.toThrow(/init/);
    await expect(trainSupernet({ dataset: 'other', train, val, out: tmp(), init: base })).rejects.toThrow(/init.*synthetic/);
  });
});
