import { beforeAll, describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { ConfigError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import { batchPixels, batchTensor, pixelStats } from '../../supernet/batches.ts';
import { calibrateSubnet, evaluateSubnet } from '../../supernet/evaluate.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { subnetPlan } from '../../supernet/plan.ts';
import { syntheticImages, tinySpace } from './tiny.ts';
installKernels();

const space = tinySpace();
const train = syntheticImages('train', 40);
const val = syntheticImages('val', 24);
const norm = pixelStats(train);
const data = { train, val, norm };

describe('evaluateSubnet', () => {
  let net: MbconvSupernet;
  beforeAll(async () => {
    await initTf('wasm');
    net = new MbconvSupernet(space.config, new Rng('eval'));
  });

  it('recalibrated BN on the calibration batch reproduces the batch-statistics forward pass', () => {
    const arch = space.sample(new Rng('arch'));
    // calibration uses all 40 train images in one batch, so its moments are exactly the batch's
    const stats = calibrateSubnet(net, arch, data, { calibImages: train.n, batchSize: train.n, quantize: false });
    const plan = subnetPlan(space.config, arch);
    for (const b of plan.blocks) {
      expect(stats.bn.get(`${b.name}.expand`)?.mean).toHaveLength(b.hidden);
      expect(stats.bn.get(`${b.name}.project`)?.variance).toHaveLength(b.cout);
      expect(stats.ranges.get(`${b.name}.expand.in`)).toBeGreaterThan(0);
    }
    const x = batchTensor(train, batchPixels(train, new Rng('calibration').sampleIndices(train.n, train.n), norm), train.n, arch.resolution);
    const a = net.forward(x, arch, { kind: 'train' });
    const b = net.forward(x, arch, { kind: 'eval', stats, quantize: false });
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    // quantised: the moments are those of the fake-quantised subnet (second pass), not of its float twin
    const q = calibrateSubnet(net, arch, data, { calibImages: train.n, batchSize: train.n });
    const noSink = { bn: () => {}, range: () => {}, clipError: () => {} };
    const qa = net.forward(x, arch, { kind: 'calibrate', sink: noSink, ranges: q.ranges });
    const qb = net.forward(x, arch, { kind: 'eval', stats: q, quantize: true });
    const floatMoments = net.forward(x, arch, { kind: 'eval', stats: { bn: stats.bn, ranges: q.ranges }, quantize: true });
    expect(tf.max(tf.abs(tf.sub(qa, qb))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(qa, floatMoments))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, qa, qb, floatMoments]);
  });

  it('scores accuracy in [0, 1] on the validation split, deterministically and without leaks', () => {
    const arch = space.largest();
    evaluateSubnet(net, arch, data, { calibImages: 16 }); // warm-up
    const before = tf.memory().numTensors;
    const s1 = evaluateSubnet(net, arch, data, { calibImages: 16, batchSize: 10 });
    expect(tf.memory().numTensors).toBe(before);
    const s2 = evaluateSubnet(net, arch, data, { calibImages: 16, batchSize: 7 });
    expect(s1.total).toBe(24);
    expect(s1.correct).toBe(Math.round(s1.accuracy * 24));
    // same options ⇒ same score; another batch size changes the averaged BN variances (OFA's
    // per-batch averaging) by rounding-level amounts, which may flip a near-tied prediction at most
    expect(evaluateSubnet(net, arch, data, { calibImages: 16, batchSize: 10 }).correct).toBe(s1.correct);
    expect(Math.abs(s2.correct - s1.correct)).toBeLessThanOrEqual(1);
    const first5 = evaluateSubnet(net, arch, data, { valLimit: 5, calibImages: 16, batchSize: 10 });
    expect(first5.total).toBe(5);
    // per-image hits: which images were right, adding up to the score, and any subset's score
    const { hits } = evaluateSubnet(net, arch, data, { calibImages: 16, batchSize: 10, perImage: true });
    expect(hits).toHaveLength(24);
    expect(hits?.every((h) => h === 0 || h === 1)).toBe(true);
    expect(hits?.reduce((a, h) => a + h, 0)).toBe(s1.correct);
    expect(hits?.subarray(0, 5).reduce((a, h) => a + h, 0)).toBe(first5.correct);
    expect(s1.hits).toBeUndefined();
  });

  it('applies the arch bits as fake quantisation', () => {
    const arch4 = { ...space.largest(), stages: space.largest().stages.map((st) => ({ ...st, blocks: st.blocks.map((b) => ({ ...b, wbits: 4, abits: 4 })) })) };
    const stats = calibrateSubnet(net, arch4, data, { calibImages: 16 });
    const x = batchTensor(val, batchPixels(val, [0, 1, 2, 3], norm), 4, arch4.resolution);
    const f = net.forward(x, arch4, { kind: 'eval', stats, quantize: false });
    const w = net.forward(x, arch4, { kind: 'eval', stats, quantize: true, quantizeActivations: false });
    const q = net.forward(x, arch4, { kind: 'eval', stats, quantize: true });
    const diff = (p: tf.Tensor, r: tf.Tensor) => tf.max(tf.abs(tf.sub(p, r))).dataSync()[0] as number;
    expect(diff(f, w)).toBeGreaterThan(1e-4);
    expect(diff(w, q)).toBeGreaterThan(1e-4);
    tf.dispose([x, f, w, q]);
  });

  it('rejects bad options naming them', () => {
    expect(() => evaluateSubnet(net, space.smallest(), data, { batchSize: 0 })).toThrow(ConfigError);
    expect(() => evaluateSubnet(net, space.smallest(), data, { calibImages: 1.5 })).toThrow(/calibImages/);
  });
});
