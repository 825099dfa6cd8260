/**
 * Helpers for kernels running inside the tfjs wasm backend: the slice of its internals they use,
 * calling its own XNNPACK matMul on tensor infos, and the im2col filter gradient of a k×k conv.
 */
import { tf } from '../tf.ts';
import type { DepthwiseKernels, WasmMemory } from './loader.ts';
import { ConfigError } from '../../core/errors.ts';

export type Info = tf.TensorInfo;
export type Shape4 = [number, number, number, number];
/** What tfjs passes to a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

export function input(args: KernelArgs, name: string): Info {
  const t = args.inputs[name];
  if (!t) throw new ConfigError('inputs', name, 'missing kernel input');
  return t;
}


/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch (stable across 4.x). */
export interface WasmBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(t: Info): Float32Array;
  disposeData(dataId: object): boolean;
  wasm: { asm: { memory: WasmMemory }; HEAPF32: Float32Array };
}

/** a·b on rank-3 infos (transposes as asked) through the backend's BatchMatMul kernel. */
export function matMulInfo(backend: WasmBackend, a: Info, b: Info, transposeA: boolean, transposeB: boolean): Info {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (!kernel) throw new Error('wasm backend has no BatchMatMul kernel');
  return kernel.kernelFunc({
    inputs: { a, b }, backend: backend as unknown as tf.KernelBackend, attrs: { transposeA, transposeB },
  }) as Info;
}

/** Keeps one im2col block under this many floats (64 MB) by walking the batch in chunks. */
const MAX_COLS_FLOATS = 16 * 1024 * 1024;

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * dW = im2col(x)ᵀ · dy (the kernels' tallAtB, reading dy in place), with the columns of each output
 * position laid out as (ky, kx, cin) so the
 * [kh·kw·cin, cout] product is already the filter layout. Zero rows stand in for padding.
 */
export function conv2dFilterGradIm2col(
  backend: WasmBackend, x: Info, dy: Info, ci: ConvInfo, filterShape: [number, number, number, number], k: DepthwiseKernels,
): Info {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow, outChannels: cout } = ci;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  const kDim = kh * kw * cin;
  const perImage = oh * ow;
  const chunk = Math.max(1, Math.min(n, Math.floor(MAX_COLS_FLOATS / (perImage * kDim))));
  const total = new Float32Array(kDim * cout);
  for (let b0 = 0; b0 < n; b0 += chunk) {
    const nb = Math.min(chunk, n - b0);
    const rows = nb * perImage;
    const cols = backend.makeOutput([1, rows, kDim], 'float32');
    // Views are taken after every allocation: a heap growth detaches older ones.
    const heap = backend.wasm.HEAPF32;
    const X = backend.dataIdMap.get(x.dataId).memoryOffset >>> 2;
    const C = backend.dataIdMap.get(cols.dataId).memoryOffset >>> 2;
    let r = C;
    for (let b = b0; b < b0 + nb; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh + ky - pt;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw + kx - pl;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                heap.fill(0, r, r + cin);
              } else {
                const src = X + ((b * h + iy) * w + ix) * cin;
                heap.copyWithin(r, src, src + cin);
              }
              r += cin;
            }
          }
        }
      }
    }
    const part = backend.makeOutput([kDim, cout], 'float32');
    const at = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
    k.tallAtB(at(cols), at(dy) + b0 * perImage * cout * 4, at(part), rows, kDim, cout);
    const partView = backend.typedArrayFromHeap(part);
    for (let i = 0; i < total.length; i++) total[i] = total[i]! + partView[i]!;
    backend.disposeData(part.dataId);
    backend.disposeData(cols.dataId);
  }
  const out = backend.makeOutput([...filterShape], 'float32');
  backend.typedArrayFromHeap(out).set(total);
  return out;
}
