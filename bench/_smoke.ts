import { tf } from '../core/tf.ts';
import { registerWasmGradKernels, wasmGradKernelsNative } from '../core/kernels-wasm-grad.ts';
registerWasmGradKernels();
async function run(be: string, f: () => tf.Tensor[]) { await tf.setBackend(be); await tf.ready(); const r = f(); const out = r.map(t => t.dataSync().slice()); r.forEach(t=>t.dispose()); return out; }
const xs = [2, 9, 9, 20], k = 5;
const xv = Array.from({ length: xs.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.7));
const fv = Array.from({ length: 720 }, (_, i) => Math.cos(i * 0.3));
for (const stride of [1, 2] as const) {
  const f = () => {
    const x = tf.tensor4d(xv, xs as [number,number,number,number]); const w = tf.tensor4d(fv.slice(0, k*k*20), [k, k, 20, 1]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'))));
    const r = g([x, w]); x.dispose(); w.dispose(); return r;
  };
  const c = await run('cpu', f); const wv = await run('wasm', f);
  for (let i = 0; i < 2; i++) { let m = 0, mb = 0; for (let j = 0; j < c[i]!.length; j++) { m = Math.max(m, Math.abs(c[i]![j]! - wv[i]![j]!)); mb = Math.max(mb, Math.abs(c[i]![j]!)); } console.log('dw stride', stride, i, m / Math.max(1, mb)); }
  const f2 = () => {
    const x = tf.tensor4d(xv, xs as [number,number,number,number]); const w = tf.tensor4d(fv.slice(0, 3*3*20*4), [3, 3, 20, 4]);
    const w1 = tf.tensor4d(fv.slice(0, 20*6), [1, 1, 20, 6]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c1: tf.Tensor) => tf.add(tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'))), tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, c1 as tf.Tensor4D, 1, 'same')))));
    const r = g([x, w, w1]); x.dispose(); w.dispose(); w1.dispose(); return r;
  };
  const c2 = await run('cpu', f2); const w2 = await run('wasm', f2);
  for (let i = 0; i < 3; i++) { let m = 0, mb = 0; for (let j = 0; j < c2[i]!.length; j++) { m = Math.max(m, Math.abs(c2[i]![j]! - w2[i]![j]!)); mb = Math.max(mb, Math.abs(c2[i]![j]!)); } console.log('conv stride', stride, i, m / Math.max(1, mb)); }
}
console.log('native', wasmGradKernelsNative());
