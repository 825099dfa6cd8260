import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import { genomeArity, toGenome } from '../../search-space/mbconv-arch.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { RelaxedSupernet } from '../../supernet/relaxed.ts';
import { syntheticBatch } from './tiny.ts';
installKernels();

/** Reduced space: 2 stages, block-0 residual in stage 0 only at one width, stride 2 in stage 1. */
const space = new MbconvSpace({
  resolutions: [16], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2, 3],
  weightBits: [4, 8], activationBits: [4, 8], stemChannels: 8,
  stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16,
});
const cfg = space.config;
const arity = genomeArity(cfg);

function oneHot(arch: MbconvArch): tf.Tensor1D[] {
  return toGenome(cfg, arch).map((c, i) => tf.tensor1d(Array.from({ length: arity[i] as number }, (_, k) => (k === c ? 1 : 0))));
}

describe('RelaxedSupernet', () => {
  let net: MbconvSupernet;
  let relaxed: RelaxedSupernet;
  beforeAll(async () => {
    await initTf('wasm');
    net = new MbconvSupernet(cfg, new Rng('relaxed-net'));
    // Away from the identity kernel transforms and unit BN affine of a fresh supernet, so both must be applied right.
    const noise = new Rng('perturb');
    for (const name of net.params.names().filter((n) => /\.t\d+$|bn\.(gamma|beta)$/.test(n))) {
      const v = net.params.get(name);
      const d = tf.tensor(Float32Array.from({ length: v.size }, () => noise.normal(0, 0.2)), v.shape);
      tf.tidy(() => v.assign(tf.add(v, d)));
      d.dispose();
    }
    relaxed = new RelaxedSupernet(net);
  });
  afterAll(() => {
    relaxed.dispose();
    net.dispose();
  });

  it('one-hot weights reproduce the discrete supernet forward of that arch', () => {
    const rng = new Rng('archs');
    const archs = [space.largest(), space.smallest(), ...Array.from({ length: 10 }, () => space.sample(rng))];
    const { x } = syntheticBatch('onehot', 6, 16);
    let worst = 0;
    for (const arch of archs) {
      const g = oneHot(arch);
      const want = net.forward(x, arch, { kind: 'train' });
      const got = relaxed.forward(x, g);
      const diff = tf.max(tf.abs(tf.sub(want, got))).dataSync()[0] as number;
      worst = Math.max(worst, diff);
      expect(diff, space.key(arch)).toBeLessThan(1e-5);
      tf.dispose([...g, want, got]);
    }
    expect(worst).toBeGreaterThanOrEqual(0);
    x.dispose();
  });

  it('the gradient of a quantised mixture reaches every mixed gene without leaking tensors', () => {
    const { x, y } = syntheticBatch('mix', 4, 16);
    const before = tf.memory().numTensors;
    const logits = arity.map((a, i) => tf.tidy(() => tf.variable(tf.tensor1d(Array.from({ length: a }, (_, k) => 0.3 * ((i + k) % 3))), true, `relaxed-test-${i}`)));
    const { grads, value } = tf.variableGrads(() => {
      const g = logits.map((l) => tf.softmax(l) as tf.Tensor1D);
      const out = relaxed.forward(x, g, { quantize: true });
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), out) as tf.Scalar;
    }, logits);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const norms = logits.map((l) => (grads[l.name] ? tf.tidy(() => tf.norm(grads[l.name] as tf.Tensor).dataSync()[0] as number) : 0));
    norms.forEach((n, i) => {
      if (i === 0) expect(n).toBe(0); // resolution is sampled, not mixed
      else expect(n, `gene ${i}`).toBeGreaterThan(0);
    });
    tf.dispose([value, ...Object.values(grads), ...logits]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
