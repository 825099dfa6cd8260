/**
 * The registered wasm gradient kernels: unsupported attributes fail naming the attribute, a missing
 * or broken kernel build falls back to JS with one warning line, and the build script works from
 * an empty output directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../core/errors.ts';
import { DEPTHWISE_WASM_PATH, setDepthwiseWasmPath, setKernelMode } from '../../../runtime/kernels/loader.ts';
import { depthwiseConv2d, wasmGradKernelsNative } from '../../../runtime/ops/index.ts';
import { tf } from '../../../runtime/tf.ts';
import { expectWasmMatchesCpu, weightedSum } from '../ops/grad-check.ts';
import { Rng } from '../../../core/rng.ts';
import { installKernels } from '../../../runtime/kernels/install.ts';
installKernels();

const tmp = mkdtempSync(join(tmpdir(), 'nas-kernels-'));
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(() => {
  setDepthwiseWasmPath();
  setKernelMode('auto');
  rmSync(tmp, { recursive: true, force: true });
});

function thrown(f: () => unknown): unknown {
  try {
    tf.tidy(() => { f(); });
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('unsupported attributes', () => {
  // Inputs are made inside thrown()'s tidy so they are released whatever happens.
  const run = (name: string, inputs: () => Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
    thrown(() => tf.engine().runKernel(name, inputs() as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap));

  it.each([
    ['DepthwiseConv2dNativeBackpropFilter', 'x', [3, 3, 4, 1]],
    ['Conv2DBackpropFilter', 'x', [3, 3, 4, 2]],
  ])('%s with dilation 2 names "dilations"', (name, _x, filterShape) => {
    const e = run(name, () => ({ x: tf.ones([1, 6, 6, 4]), dy: tf.ones([1, 6, 6, (filterShape as number[])[3] === 1 ? 4 : 2]) }),
      { strides: 1, pad: 'same', dilations: 2, filterShape });
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).field).toBe(`${name}.dilations`);
    expect((e as Error).message).toMatch(/dilation 1 only.*\[2,2\]/);
  });

  it('DepthwiseConv2dNativeBackpropInput with dilation 2 names "dilations"', () => {
    const e = run('DepthwiseConv2dNativeBackpropInput', () => ({ dy: tf.ones([1, 6, 6, 4]), filter: tf.ones([3, 3, 4, 1]) }),
      { strides: 1, pad: 'same', dilations: [2, 1], inputShape: [1, 6, 6, 4] });
    expect((e as ConfigError).field).toBe('DepthwiseConv2dNativeBackpropInput.dilations');
  });

  it('depthwise channel multiplier 2 names the filter shape (raw tfjs gradient)', () => {
    const x = tf.ones([1, 5, 5, 3]) as tf.Tensor4D, f = tf.ones([3, 3, 3, 2]) as tf.Tensor4D;
    // tfjs's gradient engine does not release its forward tensors when a backward kernel throws, so
    // no leak check here; runtime/ops rejects this filter before any tensor is made (next test).
    const e = thrown(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, f]));
    tf.dispose([x, f]);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/filterShape\[3\]: channel multiplier must be 1 on wasm \(got 2\)/);
  });

  it('runtime/ops depthwiseConv2d rejects a channel multiplier up front, leaking nothing', () => {
    const x = tf.ones([1, 5, 5, 3]) as tf.Tensor4D, f = tf.ones([3, 3, 3, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const e = thrown(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D)))([x, f]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
    expect((e as ConfigError).field).toBe('depthwiseConv2d.filter');
    expect((e as Error).message).toContain('[3,3,3,2]');
  });

  it('NCHW conv filter gradient names dataFormat', () => {
    const e = run('Conv2DBackpropFilter', () => ({ x: tf.ones([1, 4, 6, 6]), dy: tf.ones([1, 2, 6, 6]) }),
      { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 4, 2] });
    expect((e as ConfigError).field).toBe('Conv2DBackpropFilter.dataFormat');
  });
});

describe('missing or broken kernel build', () => {
  const dwLoss = (x: tf.Tensor, f: tf.Tensor, r: tf.Tensor) => weightedSum(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), r);
  const shapes = [[2, 9, 9, 6], [5, 5, 6, 1], [2, 5, 5, 6]];

  it.each([
    ['missing', () => join(tmp, 'absent.wasm'), /not built \(run `node runtime\/kernels\/build\.mjs`\); using slower JS/],
    ['corrupt', () => { const p = join(tmp, 'corrupt.wasm'); writeFileSync(p, 'not wasm'); return p; }, /unreadable .*; using slower JS/],
  ])('%s .wasm: one warning line, then correct gradients from the JS kernels', async (_label, path, pattern) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      setDepthwiseWasmPath(path());
      await tf.setBackend('wasm');
      expect(wasmGradKernelsNative()).toBe(false);
      await expectWasmMatchesCpu('fallback', dwLoss, shapes, new Rng('fallback'));
      await expectWasmMatchesCpu('fallback again', dwLoss, shapes, new Rng('fallback2'));
      // Only ours: tfjs prints its own advice through console.warn on first use of a backend.
      const ours = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('nas:'));
      expect(ours).toHaveLength(1);
      const line = ours[0]!;
      expect(line).not.toContain('\n');
      expect(line).toMatch(pattern);
    } finally {
      warn.mockRestore();
      setDepthwiseWasmPath();
    }
    await tf.setBackend('wasm');
    expect(wasmGradKernelsNative()).toBe(true);
  });
});

describe('runtime/kernels/build.mjs', () => {
  it('builds into an empty directory a module identical to the shipped one, without data segments', () => {
    const out = join(tmp, 'fresh', 'build');
    const log = execFileSync(process.execPath, ['runtime/kernels/build.mjs', '--out', out], { encoding: 'utf8' });
    expect(log).toContain('built');
    const built = join(out, 'depthwise.wasm');
    expect(existsSync(built)).toBe(true);
    expect(Buffer.compare(readFileSync(built), readFileSync(DEPTHWISE_WASM_PATH))).toBe(0);
    setDepthwiseWasmPath(built);
    expect(wasmGradKernelsNative()).toBe(true);
    setDepthwiseWasmPath();
  });
});
