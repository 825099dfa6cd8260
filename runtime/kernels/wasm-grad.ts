/**
 * Backprop kernels the tfjs wasm backend lacks (4.22: Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput), registered under their
 * tfjs names so tfjs's own gradient definitions run unchanged on wasm. Also replaces the wasm
 * Conv2DBackpropInput for 1×1 convolutions with a matMul (its generic kernel is a scalar loop).
 *
 * Depthwise gradients and the 1×1 / k×k filter gradients (k×k after an im2col) run in the
 * AssemblyScript kernels directly on the backend heap (tallAtB: an XNNPACK matMul would repack its
 * tall operand as weights on every call); 1×1 input gradients are XNNPACK matMuls. NHWC, dilation 1, depthwise channel
 * multiplier 1 — what the supernet uses; anything else throws naming the attribute.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { depthwiseKernels, type DepthwiseKernels } from './loader.ts';
import { jsDepthwiseKernels } from './js.ts';
import { conv2dFilterGradIm2col, input, matMulInfo, type Info, type KernelArgs, type Shape4, type WasmBackend } from './wasm-util.ts';
import { registerWasmDepthwiseForward } from './wasm-depthwise.ts';



function attr<T>(args: KernelArgs, name: string): T {
  return (args.attrs ?? {})[name] as unknown as T;
}

function checkUnitDilation(kernel: string, dilations: unknown): void {
  const d = dilations == null ? [1, 1] : Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (d.some((v) => v !== 1)) throw new ConfigError(`${kernel}.dilations`, d, 'gradients support dilation 1 only');
}

let jsKernels: DepthwiseKernels | undefined;
/** The wasm kernels bound to this backend's heap, else the JS loops over the same heap. */
export function kernelsFor(backend: WasmBackend): { k: DepthwiseKernels; native: boolean } {
  const native = depthwiseKernels(backend.wasm.asm.memory);
  if (native) return { k: native, native: true };
  jsKernels ??= jsDepthwiseKernels(() => backend.wasm.HEAPF32);
  return { k: jsKernels, native: false };
}

type DwInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
function depthwiseInfo(kernel: string, args: KernelArgs, xShape: Shape4, filterShape: Shape4): DwInfo {
  checkUnitDilation(kernel, attr(args, 'dilations'));
  if (filterShape[3] !== 1) throw new ConfigError(`${kernel}.filterShape[3]`, filterShape[3], 'channel multiplier must be 1 on wasm');
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, attr(args, 'strides'), 1, attr(args, 'pad'), attr(args, 'dimRoundingMode'), true,
  );
}

function depthwiseBackpropFilter(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const filterShape = attr<Shape4>(args, 'filterShape');
  const ci = depthwiseInfo('DepthwiseConv2dNativeBackpropFilter', args, x.shape as Shape4, filterShape);
  const out = backend.makeOutput([...filterShape], 'float32');
  const ptr = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const { k } = kernelsFor(backend);
  k.dwFilterGrad(
    ptr(x), ptr(dy), ptr(out), 0, ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left,
    0, ci.inChannels, 0,
  );
  return out;
}

function depthwiseBackpropInput(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const inputShape = attr<Shape4>(args, 'inputShape');
  const ci = depthwiseInfo('DepthwiseConv2dNativeBackpropInput', args, inputShape, filter.shape as Shape4);
  const ptr = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const { k, native } = kernelsFor(backend);
  if (native && ci.strideHeight === 1 && ci.strideWidth === 1) return inputGradAsForward(backend, dy, filter, inputShape, ci, k);
  const out = backend.makeOutput([...inputShape], 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  k.dwInputGrad(
    ptr(dy), ptr(filter), ptr(out), 0, ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left,
  );
  return out;
}

/**
 * At stride 1 the input gradient is a forward depthwise convolution of dy with the filter rotated
 * 180° and the complementary padding (k − 1 − pad): dx[iy] = Σ_ky dy[iy + pt − ky]·f[ky]. The
 * gather form of `dwForward` writes each dx once instead of `dwInputGrad`'s read-modify-write scatter.
 */
function inputGradAsForward(backend: WasmBackend, dy: Info, filter: Info, inputShape: Shape4, ci: DwInfo, k: DepthwiseKernels): Info {
  const { filterHeight: kh, filterWidth: kw, inChannels: c } = ci;
  const rotated = backend.makeOutput([kh, kw, c, 1], 'float32');
  const out = backend.makeOutput([...inputShape], 'float32');
  const ptr = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const heap = backend.wasm.HEAPF32; // taken after the allocations, which may grow the heap
  const F = ptr(filter) >>> 2, R = ptr(rotated) >>> 2;
  for (let t = 0; t < kh * kw; t++) heap.copyWithin(R + (kh * kw - 1 - t) * c, F + t * c, F + (t + 1) * c);
  k.dwForward(
    ptr(dy), ptr(rotated), 0, ptr(out), ci.batchSize, ci.outHeight, ci.outWidth, c, ci.inHeight, ci.inWidth,
    kh, kw, 1, 1, kh - 1 - ci.padInfo.top, kw - 1 - ci.padInfo.left, -Infinity, Infinity,
  );
  backend.disposeData(rotated.dataId);
  return out;
}

function convInfo(kernel: string, args: KernelArgs, xShape: Shape4, filterShape: Shape4) {
  const format = attr<'NHWC' | 'NCHW' | undefined>(args, 'dataFormat') ?? 'NHWC';
  if (format !== 'NHWC') throw new ConfigError(`${kernel}.dataFormat`, format, 'only NHWC is supported on wasm');
  checkUnitDilation(kernel, attr(args, 'dilations'));
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, attr(args, 'strides'), 1, attr(args, 'pad'), attr(args, 'dimRoundingMode'), false, 'channelsLast',
  );
}

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
/** A 1×1, stride-1, unpadded convolution is a plain matMul over the N·H·W rows. */
function isPointwise(ci: ConvInfo): boolean {
  const p = ci.padInfo;
  return ci.filterHeight === 1 && ci.filterWidth === 1 && ci.strideHeight === 1 && ci.strideWidth === 1 &&
    p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0;
}

function conv2dBackpropFilter(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const filterShape = attr<Shape4>(args, 'filterShape');
  const ci = convInfo('Conv2DBackpropFilter', args, x.shape as Shape4, filterShape);
  if (isPointwise(ci)) {
    const out = backend.makeOutput([...filterShape], 'float32');
    const ptr = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
    kernelsFor(backend).k.tallAtB(ptr(x), ptr(dy), ptr(out), ci.batchSize * ci.inHeight * ci.inWidth, ci.inChannels, ci.outChannels);
    return out;
  }
  return conv2dFilterGradIm2col(backend, x, dy, ci, filterShape, kernelsFor(backend).k);
}

let originalBackpropInput: tf.KernelFunc | undefined;
function conv2dBackpropInput(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const inputShape = attr<Shape4>(args, 'inputShape');
  const ci = convInfo('Conv2DBackpropInput', args, inputShape, filter.shape as Shape4);
  if (!isPointwise(ci)) return originalBackpropInput!(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  const rows = ci.batchSize * ci.inHeight * ci.inWidth;
  const out = matMulInfo(
    backend, { ...dy, shape: [1, rows, ci.outChannels] }, { ...filter, shape: [1, ci.inChannels, ci.outChannels] }, false, true,
  );
  return { ...out, shape: [...inputShape] };
}

let registered = false;
/** Registers the kernels (idempotent). Needs no active backend: the registry is keyed by name. */
export function registerWasmGradKernels(): void {
  if (registered) return;
  registered = true;
  const add = (kernelName: string, kernelFunc: (a: KernelArgs) => Info) => {
    if (tf.getKernel(kernelName, 'wasm')) return; // a future tfjs provides it: keep theirs
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  };
  add('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter);
  add('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput);
  add('Conv2DBackpropFilter', conv2dBackpropFilter);
  const orig = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (orig) {
    originalBackpropInput = orig.kernelFunc;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...orig, kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc });
  }
  // The forward pass of the same depthwise layers (XNNPACK is slow for 7×7).
  registerWasmDepthwiseForward();
}

/** Whether gradient kernels on wasm currently run the compiled AssemblyScript code. */
export function wasmGradKernelsNative(): boolean {
  const b = tf.findBackend('wasm') as unknown as WasmBackend | null;
  return b !== null && kernelsFor(b).native;
}
