/**
 * Wraps the wasm backend's BatchMatMul: with transposeA/transposeB set, tfjs-backend-wasm 4.22 runs
 * 10–20× slower than on plain operands (measured here: [64,1024]ᵀ·[64,256] 162 ms with the flag,
 * 8 ms after an explicit Transpose), and every matMul gradient sets those flags. The operands are
 * transposed with the backend's own Transpose kernel and multiplied with the flags off.
 */
import { tf } from '../tf.ts';

type Info = tf.TensorInfo;
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: { disposeData(dataId: object): boolean };
  attrs?: tf.NamedAttrMap;
}

let original: tf.KernelFunc | undefined;

function transposeLast2(x: Info, backend: KernelArgs['backend']): Info {
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('wasm backend has no Transpose kernel');
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return kernel.kernelFunc({ inputs: { x }, backend: backend as unknown as tf.KernelBackend, attrs: { perm } }) as Info;
}

function batchMatMul(args: KernelArgs): Info {
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const run = original!;
  if (!attrs.transposeA && !attrs.transposeB) return run(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  const { a, b } = args.inputs as { a: Info; b: Info };
  const ta = attrs.transposeA ? transposeLast2(a, args.backend) : a;
  const tb = attrs.transposeB ? transposeLast2(b, args.backend) : b;
  try {
    return run({
      inputs: { a: ta, b: tb }, backend: args.backend as unknown as tf.KernelBackend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as Info;
  } finally {
    if (ta !== a) args.backend.disposeData(ta.dataId);
    if (tb !== b) args.backend.disposeData(tb.dataId);
  }
}

/** Installs the wrapper (idempotent). */
export function registerWasmMatMul(): void {
  if (original) return;
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  if (!orig) return;
  original = orig.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...orig, kernelFunc: batchMatMul as unknown as tf.KernelFunc });
}
