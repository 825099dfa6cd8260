/**
 * Convolution gradients on wasm (registered backprop kernels: AssemblyScript and JS fallback) equal
 * the cpu backend's native gradients on seeded random shapes.
 */
import { afterAll, describe, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { tf } from '../../../runtime/tf.ts';
import { setKernelMode, type KernelMode } from '../../../runtime/kernels/loader.ts';
import { wasmGradKernelsNative } from '../../../runtime/kernels/wasm-grad.ts';
import { conv2d, depthwiseConv2d, pointwiseConv2d } from '../../../runtime/ops/index.ts';
import { expectWasmMatchesCpu, weightedSum } from './grad-check.ts';
import { expect } from 'vitest';
import { installKernels } from '../../../runtime/kernels/install.ts';
installKernels();

type S4 = [number, number, number, number];
const MODES: KernelMode[] = ['auto', 'js'];

function outSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

afterAll(() => setKernelMode('auto'));

describe.each(MODES)('convolution gradients on wasm, kernel mode %s', (mode) => {
  const rng = new Rng(`conv-grads-${mode}`);

  it('runs the kernels it claims to (compiled in auto mode, JS when forced)', async () => {
    setKernelMode(mode);
    await tf.setBackend('wasm');
    expect(wasmGradKernelsNative()).toBe(mode === 'auto');
  });

  for (const k of [3, 5, 7]) {
    for (const stride of [1, 2] as const) {
      it(`depthwise ${k}×${k} stride ${stride}`, async () => {
        setKernelMode(mode);
        const n = rng.intBetween(1, 2), h = rng.intBetween(k - 1, 11), w = rng.intBetween(k - 1, 11);
        // Channel counts off the SIMD widths (16, 8, 4) exercise the kernels' scalar tails.
        const c = rng.choice([5, 8, 19, 33]);
        const shapes = [[n, h, w, c], [k, k, c, 1], [n, outSize(h, stride), outSize(w, stride), c]];
        await expectWasmMatchesCpu(`depthwise k${k} s${stride} ${JSON.stringify(shapes[0])}`,
          (x, f, r) => weightedSum(depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, { stride }), r!), shapes, rng);
      });
    }
  }

  for (const k of [1, 3, 5]) {
    for (const stride of [1, 2] as const) {
      for (const groups of [1, 2, 4]) {
        it(`conv2d ${k}×${k} stride ${stride} groups ${groups}`, async () => {
          setKernelMode(mode);
          const n = rng.intBetween(1, 2), h = rng.intBetween(4, 10), w = rng.intBetween(4, 10);
          const cin = groups * rng.intBetween(1, 3), cout = groups * rng.intBetween(1, 3);
          const shapes = [[n, h, w, cin], [k, k, cin / groups, cout], [n, outSize(h, stride), outSize(w, stride), cout]];
          await expectWasmMatchesCpu(`conv2d k${k} s${stride} g${groups} ${JSON.stringify(shapes[0])}`,
            (x, f, r) => weightedSum(conv2d(x as tf.Tensor4D, f as tf.Tensor4D, { stride, groups }), r!), shapes, rng);
        });
      }
    }
  }

  it('conv2d with groups == channels (depthwise through conv2d)', async () => {
    setKernelMode(mode);
    const c = rng.intBetween(3, 9), h = rng.intBetween(5, 9);
    const shapes = [[2, h, h, c], [3, 3, 1, c], [2, h, h, c]];
    await expectWasmMatchesCpu(`conv2d groups=${c}`,
      (x, f, r) => weightedSum(conv2d(x as tf.Tensor4D, f as tf.Tensor4D, { groups: c }), r!), shapes, rng);
  });

  it('pointwise conv from a 4-D and a 2-D filter', async () => {
    setKernelMode(mode);
    const n = rng.intBetween(1, 3), h = rng.intBetween(3, 9), cin = rng.intBetween(2, 24), cout = rng.intBetween(2, 24);
    await expectWasmMatchesCpu('pointwise 4-D',
      (x, f, r) => weightedSum(pointwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D), r!),
      [[n, h, h, cin], [1, 1, cin, cout], [n, h, h, cout]], rng);
    await expectWasmMatchesCpu('pointwise 2-D',
      (x, f, r) => weightedSum(pointwiseConv2d(x as tf.Tensor4D, f as tf.Tensor2D), r!),
      [[n, h, h, cin], [cin, cout], [n, h, h, cout]], rng);
  });

  it('a small MBConv chain (expand → depthwise stride 2 → project) end to end', async () => {
    setKernelMode(mode);
    const n = 2, h = rng.intBetween(6, 10), c = rng.intBetween(3, 6), e = c * rng.intBetween(2, 4);
    const o = outSize(h, 2);
    const shapes: S4[] = [[n, h, h, c], [1, 1, c, e], [5, 5, e, 1], [1, 1, e, c], [n, o, o, c]];
    await expectWasmMatchesCpu('mbconv',
      (x, pe, dw, pp, r) => {
        const a = tf.relu6(pointwiseConv2d(x as tf.Tensor4D, pe as tf.Tensor4D));
        const b = tf.relu6(depthwiseConv2d(a, dw as tf.Tensor4D, { stride: 2 }));
        return weightedSum(pointwiseConv2d(b, pp as tf.Tensor4D), r!);
      }, shapes, rng);
  });
});
