/**
 * The wasm DepthwiseConv2dNative / FusedDepthwiseConv2D overrides (runtime/kernels/wasm-depthwise.ts):
 * outputs equal the cpu backend on seeded random geometries (compiled kernel and JS fallback), the
 * cases it does not handle still reach XNNPACK and stay correct, gradients through it equal cpu's,
 * and nothing leaks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { tf } from '../../../runtime/tf.ts';
import { setKernelMode } from '../../../runtime/kernels/loader.ts';
import { depthwiseForwardCalls, setDepthwiseForwardMode, NATIVE_CASES } from '../../../runtime/kernels/wasm-depthwise.ts';
import { wasmGradKernelsNative } from '../../../runtime/ops/index.ts';
import { expectWasmMatchesCpu, randomInputs, relError, weightedSum } from '../ops/grad-check.ts';
import { installKernels } from '../../../runtime/kernels/install.ts';
installKernels();

const TOL = 1e-5;
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'prelu';
interface Case {
  shape: [number, number, number, number];
  k: number; kw?: number; s: number; pad: Pad; dilation?: number; multiplier?: number;
  fused?: { activation: Activation; bias: boolean };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterEach(() => {
  setDepthwiseForwardMode('auto');
  setKernelMode('auto');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

/** y for `c` on `backend` from the given values; asserts no tensor outlives the call. */
async function forward(backend: 'cpu' | 'wasm', c: Case, values: Float32Array[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  await tf.ready();
  const before = tf.memory().numTensors;
  const ch = c.shape[3], m = c.multiplier ?? 1;
  const y = tf.tidy(() => {
    const x = tf.tensor(values[0]!, c.shape) as tf.Tensor4D;
    const f = tf.tensor(values[1]!, [c.k, c.kw ?? c.k, ch, m]) as tf.Tensor4D;
    const pad = c.pad as 'same';
    const dilations = c.dilation ?? 1;
    const dimRoundingMode = typeof c.pad === 'number' ? 'floor' : undefined;
    if (!c.fused) return tf.depthwiseConv2d(x, f, c.s, pad, 'NHWC', dilations, dimRoundingMode);
    const bias = c.fused.bias ? tf.tensor1d(values[2]!) : undefined;
    const preluActivationWeights = c.fused.activation === 'prelu' ? tf.fill([ch * m], 0.25) : undefined;
    return tf.fused.depthwiseConv2d({
      x, filter: f, strides: c.s, pad, dilations, dimRoundingMode, bias, activation: c.fused.activation, preluActivationWeights,
    });
  });
  const out = (await y.data()) as Float32Array;
  y.dispose();
  expect(tf.memory().numTensors, `${backend}: tensors leaked`).toBe(before);
  return out;
}

async function expectMatchesCpu(c: Case, rng: Rng, expectOurs: boolean): Promise<void> {
  const ch = c.shape[3], m = c.multiplier ?? 1;
  const values = randomInputs(rng, [c.shape, [c.k, c.kw ?? c.k, ch, m], [ch * m]]);
  const cpu = await forward('cpu', c, values);
  const calls = depthwiseForwardCalls();
  const wasm = await forward('wasm', c, values);
  expect(depthwiseForwardCalls() - calls, `${JSON.stringify(c)}: override taken`).toBe(expectOurs ? 1 : 0);
  expect(wasm.length).toBe(cpu.length);
  expect(relError(wasm, cpu), `${JSON.stringify(c)}: rel. error vs cpu`).toBeLessThan(TOL);
}

/** Seeded geometries: k ∈ {3,5,7} × stride {1,2}, odd and even sizes, channel counts hitting every tail. */
function randomCases(rng: Rng, perCell: number): Case[] {
  const cases: Case[] = [];
  for (const k of [3, 5, 7]) {
    for (const s of [1, 2]) {
      for (let i = 0; i < perCell; i++) {
        const h = rng.intBetween(4, 13), w = rng.intBetween(4, 13);
        const c = rng.choice([1, 3, 4, 7, 16, 19, 32, 37]);
        const pad: Pad = i % 3 === 2 ? 'valid' : 'same';
        cases.push({ shape: [rng.intBetween(1, 3), h, w, c], k, s, pad: pad === 'valid' && (h < k || w < k) ? 'same' : pad });
      }
    }
  }
  return cases;
}

describe('depthwise forward on wasm equals cpu', () => {
  it('reports the compiled kernel in use', () => {
    expect(wasmGradKernelsNative()).toBe(true);
  });

  for (const kernels of ['auto', 'js'] as const) {
    it(`seeded random geometries, ${kernels === 'auto' ? 'compiled' : 'JS'} kernel`, async () => {
      setKernelMode(kernels);
      setDepthwiseForwardMode('always');
      const rng = new Rng(`dw-forward-${kernels}`);
      for (const c of randomCases(rng, kernels === 'auto' ? 3 : 1)) await expectMatchesCpu(c, rng, true);
    });
  }

  it('explicit and numeric pads (asymmetric, with dimRoundingMode)', async () => {
    setDepthwiseForwardMode('always');
    const rng = new Rng('dw-forward-pads');
    await expectMatchesCpu({ shape: [2, 9, 8, 20], k: 7, s: 1, pad: [[0, 0], [1, 4], [3, 0], [0, 0]] }, rng, true);
    await expectMatchesCpu({ shape: [1, 10, 11, 5], k: 5, s: 2, pad: [[0, 0], [0, 2], [2, 1], [0, 0]] }, rng, true);
    await expectMatchesCpu({ shape: [2, 10, 9, 8], k: 3, s: 2, pad: 1 }, rng, true);
    await expectMatchesCpu({ shape: [1, 12, 10, 6], k: 7, kw: 5, s: 2, pad: 'same' }, rng, true);
  });

  it('wide rows (the stride-1 four-pixel path) with every channel tail', async () => {
    setDepthwiseForwardMode('always');
    const rng = new Rng('dw-forward-wide');
    for (const c of [4, 7, 18, 37]) {
      await expectMatchesCpu({ shape: [1, 8, 17, c], k: 7, s: 1, pad: 'same' }, rng, true);
      await expectMatchesCpu({ shape: [2, 6, 16, c], k: 5, s: 1, pad: 'valid' }, rng, true);
      await expectMatchesCpu({ shape: [1, 9, 20, c], k: 7, s: 1, pad: 'same', fused: { activation: 'relu', bias: true } }, rng, true);
    }
  });

  it("'auto' takes the kernel for the size/stride pairs in NATIVE_CASES and XNNPACK otherwise", async () => {
    const rng = new Rng('dw-forward-auto');
    expect(NATIVE_CASES.has('7/1') && NATIVE_CASES.has('7/2')).toBe(true);
    for (const k of [1, 3, 5, 7, 9]) {
      for (const s of [1, 2]) {
        await expectMatchesCpu({ shape: [2, 14, 14, 24], k, s, pad: 'same' }, rng, NATIVE_CASES.has(`${k}/${s}`));
      }
    }
    await expectMatchesCpu({ shape: [2, 14, 14, 24], k: 7, kw: 5, s: 1, pad: 'same' }, rng, false);
  });

  it('delegates dilation 2 and channel multiplier 2 to XNNPACK, still correct', async () => {
    setDepthwiseForwardMode('always');
    const rng = new Rng('dw-forward-delegate');
    await expectMatchesCpu({ shape: [1, 11, 11, 8], k: 3, s: 1, pad: 'same', dilation: 2 }, rng, false);
    await expectMatchesCpu({ shape: [2, 9, 9, 6], k: 7, s: 1, pad: 'same', multiplier: 2 }, rng, false);
  });

  it("'never' keeps XNNPACK for every size", async () => {
    setDepthwiseForwardMode('never');
    await expectMatchesCpu({ shape: [1, 9, 9, 8], k: 7, s: 2, pad: 'same' }, new Rng('dw-forward-never'), false);
  });
});

describe('fused depthwise forward', () => {
  it.each([
    ['linear', true], ['relu', true], ['relu6', true], ['relu6', false],
  ] as const)('%s activation (bias %s) runs in the kernel and equals cpu', async (activation, bias) => {
    setDepthwiseForwardMode('always');
    const rng = new Rng(`dw-fused-${activation}-${bias}`);
    await expectMatchesCpu({ shape: [2, 13, 10, 21], k: 7, s: 2, pad: 'same', fused: { activation, bias } }, rng, true);
    await expectMatchesCpu({ shape: [1, 8, 8, 36], k: 5, s: 1, pad: 'valid', fused: { activation, bias } }, rng, true);
  });

  it.each(['elu', 'prelu'] as const)('%s activation is delegated to XNNPACK, still correct', async (activation) => {
    setDepthwiseForwardMode('always');
    await expectMatchesCpu({ shape: [1, 9, 9, 12], k: 7, s: 1, pad: 'same', fused: { activation, bias: true } }, new Rng(activation), false);
  });
});

describe('gradients through the overridden forward', () => {
  const dw = (s: number, pad: 'same' | 'valid') => (x: tf.Tensor, f: tf.Tensor, r: tf.Tensor) =>
    weightedSum(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad), r);

  it.each([[7, 1, 'same', 10], [7, 2, 'same', 5], [5, 2, 'valid', 3], [3, 1, 'same', 10]] as const)(
    'k%i stride %i %s: loss and gradients equal cpu', async (k, s, pad, o) => {
      setDepthwiseForwardMode('always');
      const before = depthwiseForwardCalls();
      await expectWasmMatchesCpu(`dw k${k}/${s}`, dw(s, pad), [[2, 10, 10, 19], [k, k, 19, 1], [2, o, o, 19]], new Rng(`dw-grad-${k}-${s}`));
      expect(depthwiseForwardCalls()).toBeGreaterThan(before);
    },
  );

  it('fused relu6 with bias: gradients equal cpu', async () => {
    setDepthwiseForwardMode('always');
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => weightedSum(tf.fused.depthwiseConv2d({
      x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation: 'relu6',
    }), r);
    await expectWasmMatchesCpu('fused dw relu6', f, [[2, 11, 11, 20], [7, 7, 20, 1], [20], [2, 6, 6, 20]], new Rng('dw-fused-grad'));
  });
});
