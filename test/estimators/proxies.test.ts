import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import type { LayerSpec } from '../../core/types.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { buildInitNetwork } from '../../estimators/proxies/init-network.ts';
import { gradNorm, logAbsDet, naswot, naswotKernel, synflow } from '../../estimators/proxies/proxies.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

const b8 = { weights: 8, inputs: 8, outputs: 8 };
// stem conv 3×3 1→4 at 6×6 → ReLU → global average pool → FC 4→3: positively homogeneous, no residual.
const chain: LayerSpec[] = [
  { name: 'stem', kind: 'conv', n: 1, c: 1, m: 4, h: 6, w: 6, p: 6, q: 6, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: b8 },
  { name: 'pool', kind: 'pool', pool: 'avg', n: 1, c: 4, m: 4, h: 6, w: 6, p: 1, q: 1, r: 6, s: 6, stride: 1, groups: 4, padding: 0, bits: b8 },
  { name: 'fc', kind: 'fc', n: 1, c: 4, m: 3, h: 1, w: 1, p: 1, q: 1, r: 1, s: 1, stride: 1, groups: 1, padding: 0, bits: b8 },
];
const space = new MbconvSpace({ resolutions: [8], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 });

beforeAll(async () => {
  await initTf('wasm');
});

function randomBatch(rng: Rng, n: number, h: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: n * h * h }, () => rng.uniform(0, 1)), [n, h, h, 1]);
}

describe('zero-cost proxies', () => {
  it('synflow of a homogeneous chain equals (parameter tensors) × R, by Euler’s theorem', () => {
    const net = buildInitNetwork(chain, new Rng(1));
    const abs = net.params.map((p) => tf.abs(p));
    const r = tf.tidy(() => tf.sum(net.forward(tf.ones([1, 6, 6, 1]) as tf.Tensor4D, abs).logits).dataSync()[0] as number);
    expect(synflow(net, [6, 6, 1])).toBeCloseTo(Math.log10(2 * r), 4);
    tf.dispose(abs);
    net.dispose();
  });

  it('NASWOT kernel has N_A on its diagonal and is singular for repeated inputs', () => {
    const net = buildInitNetwork(chain, new Rng(2));
    const x = randomBatch(new Rng(3), 4, 6);
    const k = naswotKernel(net, x);
    const units = 6 * 6 * 4; // one ReLU after the stem
    expect(k.map((row, i) => row[i])).toEqual([units, units, units, units]);
    expect(k[0]?.[1]).toBe(k[1]?.[0]);
    expect(naswot(net, x)).toBeCloseTo(logAbsDet(k), 9);
    const same = tf.concat([tf.slice(x, [0, 0, 0, 0], [1, 6, 6, 1]), tf.slice(x, [0, 0, 0, 0], [1, 6, 6, 1])]) as tf.Tensor4D;
    expect(naswot(net, same)).toBe(-Infinity);
    tf.dispose([x, same]);
    net.dispose();
  });

  it('logAbsDet matches a hand-computed determinant', () => {
    expect(logAbsDet([[2, 1], [1, 3]])).toBeCloseTo(Math.log(5), 12);
    expect(logAbsDet([[0, -2], [3, 0]])).toBeCloseTo(Math.log(6), 12);
  });

  it('scores mbconv subnets deterministically without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const score = (seed: number) => {
      const net = buildInitNetwork(space.layers(space.largest()), new Rng(seed));
      const rng = new Rng(9);
      const x = randomBatch(rng, 8, 8);
      const labels = Int32Array.from({ length: 8 }, () => rng.int(10));
      const s = [naswot(net, x), synflow(net, [8, 8, 1]), gradNorm(net, x, labels, 10)];
      x.dispose();
      net.dispose();
      return s;
    };
    const a = score(4);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(score(4)).toEqual(a);
    expect(score(5)).not.toEqual(a);
    expect(tf.memory().numTensors).toBe(before);
  });
});
