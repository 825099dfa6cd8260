/**
 * Replacement for tfjs-backend-wasm 4.22's MaxPoolGrad, which drops gradient entries (measured:
 * 2×2/2 "same" pooling on [1,4,4,2], [1,5,5,1] or [1,6,6,1] loses the last windows' gradients while
 * the cpu backend keeps them). The gradient is routed to the first maximum of each window, the
 * cpu backend's tie rule, reading x and dy straight from the wasm heap.
 */
import { tf } from '../tf.ts';
import { ConfigError } from '../../core/errors.ts';
import type { WasmBackend } from './wasm-util.ts';

type Info = tf.TensorInfo;
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

function maxPoolGrad(args: KernelArgs): Info {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs;
  if (!dy || !input) throw new ConfigError('MaxPoolGrad.inputs', Object.keys(args.inputs), 'needs dy and input');
  const a = (args.attrs ?? {}) as Record<string, unknown>;
  const ci = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], a.filterSize as [number, number] | number,
    a.strides as [number, number] | number, 1, a.pad as 'same' | 'valid' | number,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = ci;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  const out = backend.makeOutput([...input.shape], 'float32');
  const heap = backend.wasm.HEAPF32; // read after makeOutput: an allocation may grow the heap
  const X = backend.dataIdMap.get(input.dataId).memoryOffset >>> 2;
  const D = backend.dataIdMap.get(dy.dataId).memoryOffset >>> 2;
  const O = backend.dataIdMap.get(out.dataId).memoryOffset >>> 2;
  heap.fill(0, O, O + n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - pt), y1 = Math.min(h, oy * sh - pt + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - pl), x1 = Math.min(w, ox * sw - pl + fw);
        const d = D + ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity, at = -1;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = ((b * h + iy) * w + ix) * c + ch;
              const v = heap[X + p]!;
              if (v > best || at < 0) { best = v; at = p; }
            }
          }
          if (at >= 0) heap[O + at] = heap[O + at]! + heap[d + ch]!;
        }
      }
    }
  }
  return out;
}

let registered = false;
/** Replaces the wasm MaxPoolGrad (idempotent). */
export function registerWasmPoolKernels(): void {
  if (registered) return;
  registered = true;
  const orig = tf.getKernel('MaxPoolGrad', 'wasm');
  if (orig) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
}
