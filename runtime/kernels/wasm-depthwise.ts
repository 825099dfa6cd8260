/**
 * Overrides the wasm backend's DepthwiseConv2dNative and FusedDepthwiseConv2D with the
 * AssemblyScript `dwForward` kernel for the filter sizes where XNNPACK (tfjs-backend-wasm 4.22) is
 * slow, delegating to the original kernel for everything else: other sizes, dilation ≠ 1, a
 * channel multiplier ≠ 1, NCHW, fused activations other than linear/relu/relu6, PReLU weights, or a
 * bias that is not one value per channel. Sizes are picked from bench/ops.ts measurements (see
 * `NATIVE_CASES`). Without the compiled module the plain-JS loop runs only where it still
 * beats XNNPACK (`JS_CASES`, empty) or when forced with `setDepthwiseForwardMode('always')`.
 */
import { tf } from '../tf.ts';
import { kernelsFor } from './wasm-grad.ts';
import type { Info, KernelArgs, Shape4, WasmBackend } from './wasm-util.ts';


/**
 * Square filter size / stride pairs ("k/s") run by the compiled kernel: where it beat XNNPACK in
 * `npx tsx bench/ops.ts --backend wasm --only dwfwd` (cpu time, medians; tfjs-backend-wasm 4.22,
 * single thread; [32,28,28,96], [64,14,14,192], [64,28,28,192]): 7×7 9.4–15.7× faster
 * (1.3–1.6 → 14–22 GFLOP/s), 5×5 1.7–4.1×, 3×3 stride 1 1.0–1.6×. 3×3 stride 2 measured 0.8–1.7×
 * across runs (memory-bound, both near 4 GFLOP/s), so XNNPACK keeps it. Other sizes stay with
 * XNNPACK (not measured).
 */
export const NATIVE_CASES: ReadonlySet<string> = new Set(['3/1', '5/1', '5/2', '7/1', '7/2']);
/**
 * Pairs where even the JS fallback beats XNNPACK: none (same bench with `--kernels js`: 7×7 at
 * 0.3–0.5× XNNPACK's speed, 3×3 and 5×5 about 0.1×).
 */
export const JS_CASES: ReadonlySet<string> = new Set<string>();

/** 'auto': the tables above; 'always': ours whenever the geometry is supported; 'never': XNNPACK only. */
export type DepthwiseForwardMode = 'auto' | 'always' | 'never';
let mode: DepthwiseForwardMode = 'auto';
export function setDepthwiseForwardMode(m: DepthwiseForwardMode): void {
  mode = m;
}

let calls = 0;
/** How many forward calls ran in our kernel so far (tests check the override is really taken). */
export function depthwiseForwardCalls(): number {
  return calls;
}

/** Clamp bounds of the fused activations the kernel applies itself; others go to XNNPACK. */
const CLAMPS: Readonly<Record<string, readonly [number, number]>> = {
  linear: [-Infinity, Infinity],
  relu: [0, Infinity],
  relu6: [0, 6],
};

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function supported(args: KernelArgs, x: Info, filter: Info): ConvInfo | null {
  if (mode === 'never' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  if (filter.shape.length !== 4 || x.shape.length !== 4 || filter.shape[3] !== 1) return null;
  const a = args.attrs ?? {};
  const format = (a['dataFormat'] as string | undefined) ?? 'NHWC';
  if (format !== 'NHWC') return null;
  const dil = a['dilations'] == null ? [1, 1] : Array.isArray(a['dilations']) ? a['dilations'] : [a['dilations'], a['dilations']];
  if ((dil as number[]).some((d) => d !== 1)) return null;
  return tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, a['strides'] as number | [number, number], 1,
    a['pad'] as 'same', a['dimRoundingMode'] as 'round' | undefined, true,
  );
}

function wanted(ci: ConvInfo, native: boolean): boolean {
  if (mode === 'always') return true;
  if (ci.filterHeight !== ci.filterWidth || ci.strideHeight !== ci.strideWidth) return false;
  return (native ? NATIVE_CASES : JS_CASES).has(`${ci.filterHeight}/${ci.strideHeight}`);
}

function run(backend: WasmBackend, x: Info, filter: Info, bias: Info | undefined, ci: ConvInfo, clamp: readonly [number, number]): Info {
  const { k } = kernelsFor(backend);
  const out = backend.makeOutput([...ci.outShape], 'float32');
  const ptr = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
  k.dwForward(
    ptr(x), ptr(filter), bias ? ptr(bias) : 0, ptr(out),
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left,
    clamp[0], clamp[1],
  );
  calls++;
  return out;
}

let originalPlain: tf.KernelFunc | undefined;
function depthwiseConv2dNative(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const { x, filter } = args.inputs as { x: Info; filter: Info };
  const ci = supported(args, x, filter);
  if (!ci || !wanted(ci, kernelsFor(backend).native)) return originalPlain!(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  return run(backend, x, filter, undefined, ci, CLAMPS['linear']!);
}

let originalFused: tf.KernelFunc | undefined;
function fusedDepthwiseConv2d(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
  const activation = ((args.attrs ?? {})['activation'] as string | undefined) ?? 'linear';
  const clamp = CLAMPS[activation];
  const ci = supported(args, x, filter);
  const biasOk = bias == null || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === x.shape[3]);
  if (!ci || !clamp || preluActivationWeights != null || !biasOk || !wanted(ci, kernelsFor(backend).native)) {
    return originalFused!(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  }
  return run(backend, x, filter, bias ?? undefined, ci, clamp);
}

/** Installs both overrides (idempotent); a kernel the backend lacks is left alone. */
export function registerWasmDepthwiseForward(): void {
  if (originalPlain || originalFused) return;
  const plain = tf.getKernel('DepthwiseConv2dNative', 'wasm');
  if (plain) {
    originalPlain = plain.kernelFunc;
    tf.unregisterKernel('DepthwiseConv2dNative', 'wasm');
    tf.registerKernel({ ...plain, kernelFunc: depthwiseConv2dNative as unknown as tf.KernelFunc });
  }
  const fused = tf.getKernel('FusedDepthwiseConv2D', 'wasm');
  if (fused) {
    originalFused = fused.kernelFunc;
    tf.unregisterKernel('FusedDepthwiseConv2D', 'wasm');
    tf.registerKernel({ ...fused, kernelFunc: fusedDepthwiseConv2d as unknown as tf.KernelFunc });
  }
}
