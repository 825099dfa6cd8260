/**
 * Dense, batch norm, pooling and activation gradients on wasm equal the cpu backend's on seeded
 * random shapes (these use kernels wasm has natively; the test guards that they stay so).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { tf } from '../../../runtime/tf.ts';
import { BN_EPSILON, avgPool, batchNormInfer, batchNormTrain, dense, globalAvgPool, hardSwish, maxPool, relu, relu6 } from '../../../runtime/ops/index.ts';
import { TOLERANCE, expectWasmMatchesCpu, randomInputs, relError, weightedSum } from './grad-check.ts';
import { installKernels } from '../../../runtime/kernels/install.ts';
installKernels();

const rng = new Rng('layer-grads');

describe('dense', () => {
  it('with and without bias', async () => {
    const n = rng.intBetween(1, 16), i = rng.intBetween(2, 40), o = rng.intBetween(2, 40);
    await expectWasmMatchesCpu('dense+b', (x, w, b, r) => weightedSum(dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), r!),
      [[n, i], [i, o], [o], [n, o]], rng);
    await expectWasmMatchesCpu('dense', (x, w, r) => weightedSum(dense(x as tf.Tensor2D, w as tf.Tensor2D), r!),
      [[n, i], [i, o], [n, o]], rng);
  });
});

describe('batch norm', () => {
  /** tfjs's composed batch norm: the reference whose native gradients the custom backward must match. */
  const tfjsBn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPSILON))), g), b);
  };
  const oursBn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(x, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y;

  it('training mode: gradients equal tfjs composed batch norm on cpu', async () => {
    const n = rng.intBetween(2, 4), h = rng.intBetween(2, 6), c = rng.intBetween(2, 12);
    // x with a per-channel offset and scale so centring and scaling both matter.
    await expectWasmMatchesCpu('bn train', (x, g, b, r) => weightedSum(oursBn(tf.mul(tf.add(x!, 3), 2), g!, b!), r!),
      [[n, h, h, c], [c], [c], [n, h, h, c]], rng, (x, g, b, r) => weightedSum(tfjsBn(tf.mul(tf.add(x!, 3), 2), g!, b!), r!));
  });

  it('training mode: custom gradient also equals tfjs gradient on the same backend (cpu)', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor(randomInputs(rng, [[3, 4, 4, 5]])[0]!, [3, 4, 4, 5]), g = tf.randomNormal([5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([5], 0, 1, 'float32', 2), r = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 3);
    const ours = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => weightedSum(oursBn(a, gg, bb), r))([x, g, b]);
    const ref = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => weightedSum(tfjsBn(a, gg, bb), r))([x, g, b]);
    ours.forEach((t, i) => expect(relError(t.dataSync(), ref[i]!.dataSync())).toBeLessThan(TOLERANCE));
    tf.dispose([x, g, b, r, ...ours, ...ref]);
  });

  it('training mode returns the batch moments, owned by the enclosing tidy', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([4, 3, 3, 6], 1, 2, 'float32', 7);
      const [m, v, rm, rv] = tf.tidy(() => {
        const { mean, variance } = batchNormTrain(x, { gamma: tf.ones([6]), beta: tf.zeros([6]) });
        const ref = tf.moments(x, [0, 1, 2]);
        return [mean.dataSync(), variance.dataSync(), ref.mean.dataSync(), ref.variance.dataSync()];
      });
      expect(relError(m!, rm!)).toBeLessThan(1e-5);
      expect(relError(v!, rv!)).toBeLessThan(1e-5);
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('training mode on rank 2 (predictor MLPs)', async () => {
    const n = rng.intBetween(3, 10), c = rng.intBetween(2, 12);
    await expectWasmMatchesCpu('bn train 2-D', (x, g, b, r) => weightedSum(oursBn(x!, g!, b!), r!),
      [[n, c], [c], [c], [n, c]], rng, (x, g, b, r) => weightedSum(tfjsBn(x!, g!, b!), r!));
  });

  it('inference mode with running statistics', async () => {
    const n = rng.intBetween(1, 3), h = rng.intBetween(2, 6), c = rng.intBetween(2, 12);
    await expectWasmMatchesCpu('bn infer', (x, g, b, m, v, r) =>
      weightedSum(batchNormInfer(x as tf.Tensor4D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D },
        m as tf.Tensor1D, tf.add(tf.square(v!), 0.5) as tf.Tensor1D), r!),
    [[n, h, h, c], [c], [c], [c], [c], [n, h, h, c]], rng);
  });
});

describe('pooling', () => {
  for (const [size, stride] of [[2, 2], [3, 1], [3, 2]] as const) {
    it(`max and average pool ${size}×${size} stride ${stride}`, async () => {
      const n = rng.intBetween(1, 3), h = rng.intBetween(4, 10), w = rng.intBetween(4, 10), c = rng.intBetween(1, 9);
      const o = [Math.ceil(h / stride), Math.ceil(w / stride)];
      const shapes = [[n, h, w, c], [n, o[0]!, o[1]!, c]];
      await expectWasmMatchesCpu(`max ${size}/${stride}`, (x, r) => weightedSum(maxPool(x as tf.Tensor4D, size, stride), r!), shapes, rng);
      await expectWasmMatchesCpu(`avg ${size}/${stride}`, (x, r) => weightedSum(avgPool(x as tf.Tensor4D, size, stride), r!), shapes, rng);
    });
  }

  it('global average pool', async () => {
    const n = rng.intBetween(1, 4), h = rng.intBetween(2, 8), c = rng.intBetween(1, 16);
    await expectWasmMatchesCpu('gap', (x, r) => weightedSum(globalAvgPool(x as tf.Tensor4D), r!), [[n, h, h, c], [n, c]], rng);
  });
});

describe('activations', () => {
  // Inputs scaled ×4 so relu6's upper knee and hard-swish's ±3 knees are crossed.
  // References are tfjs's own ops, so hand-written backward passes are checked against tfjs's gradients.
  const acts = {
    relu: [relu, tf.relu],
    relu6: [relu6, tf.relu6],
    hardSwish: [hardSwish, (x: tf.Tensor) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))],
  } as const;
  for (const [name, [act, ref]] of Object.entries(acts)) {
    it(name, async () => {
      const shape = [rng.intBetween(1, 4), rng.intBetween(2, 9), rng.intBetween(2, 9), rng.intBetween(1, 8)];
      await expectWasmMatchesCpu(name, (x, r) => weightedSum(act(tf.mul(x, 4) as tf.Tensor4D), r!), [shape, shape], rng,
        (x, r) => weightedSum(ref(tf.mul(x, 4)), r!));
    });
  }
});
