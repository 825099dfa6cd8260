import { beforeAll, describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { batchPixels, batchTensor, pixelStats } from '../../supernet/batches.ts';
import { calibrateSubnet } from '../../supernet/evaluate.ts';
import { extractSubnet } from '../../supernet/extract.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { Sgd } from '../../supernet/optimizer.ts';
import { syntheticImages, tinySpace } from './tiny.ts';
installKernels();

const space = tinySpace();
const train = syntheticImages('train', 32);
const norm = pixelStats(train);

describe('extractSubnet', () => {
  let net: MbconvSupernet;
  beforeAll(async () => {
    await initTf('wasm');
    net = new MbconvSupernet(space.config, new Rng('extract'));
    // move the kernel transforms and BN affine terms off their identity/unit initial values,
    // so the test would notice if extraction ignored them
    const sgd = new Sgd({ momentum: 0, weightDecay: 0, nesterov: false });
    const vars = net.params.variables();
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.randomNormal(v.shape, 0, 1, 'float32', 7)]));
    sgd.apply(vars, grads, 0.02);
    tf.dispose(Object.values(grads));
    sgd.dispose();
  });

  const archs = (): [string, MbconvArch][] => [
    ['largest', space.largest()],
    ['smallest', space.smallest()],
    ['random', space.sample(new Rng('x1'))],
    ['random', space.sample(new Rng('x2'))],
  ];

  for (const quantize of [true, false]) {
    it(`standalone model equals the supernet within 1e-5 (weights quantised: ${quantize})`, () => {
      for (const [, arch] of archs()) {
        const stats = calibrateSubnet(net, arch, { train, norm }, { calibImages: 16 });
        const model = extractSubnet(net, arch, stats, { quantizeWeights: quantize });
        const x = batchTensor(train, batchPixels(train, [3, 5, 7, 11, 13], norm), 5, arch.resolution);
        const before = tf.memory().numTensors;
        const want = net.forward(x, arch, { kind: 'eval', stats, quantize, quantizeActivations: false });
        const got = model.predict(x) as tf.Tensor;
        expect(got.shape).toEqual([5, space.config.numClasses]);
        const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] as number);
        expect(err).toBeLessThan(1e-5);
        expect(tf.tidy(() => tf.max(tf.abs(want)).dataSync()[0])).toBeGreaterThan(1e-3);
        tf.dispose([want, got]);
        expect(tf.memory().numTensors).toBe(before);
        expect(model.getUserDefinedMetadata()).toMatchObject({ arch, weightsQuantized: quantize });
        tf.dispose(x);
        model.dispose();
      }
    });
  }

  it('the extracted model has only the subnet’s parameters', () => {
    const arch = space.smallest();
    const stats = calibrateSubnet(net, arch, { train, norm }, { calibImages: 16 });
    const model = extractSubnet(net, arch, stats);
    const convs = model.layers.filter((l) => l.name.endsWith('.conv'));
    // stem + 2 stages × 1 block × 3 convs + head
    expect(convs.map((l) => l.name)).toEqual([
      'stem.conv', 'stage0.block0.expand.conv', 'stage0.block0.depthwise.conv', 'stage0.block0.project.conv',
      'stage1.block0.expand.conv', 'stage1.block0.depthwise.conv', 'stage1.block0.project.conv', 'head.conv',
    ]);
    expect(model.countParams()).toBeLessThan(net.params.count());
    // serialisable topology, as export/ writes it
    const topology = model.toJSON(undefined, false) as { config: { layers: unknown[] } };
    expect(topology.config.layers.length).toBe(model.layers.length);
    model.dispose();
  });
});
