/**
 * Forward and backward speed of the supernet ops and of one MBConv block on the active backend.
 *
 *   npx tsx bench/ops.ts [--backend wasm] [--runs 5] [--only mbconv|ops|dwfwd] [--kernels auto|js]
 *                        [--dw-forward auto|xnnpack|ours] [--clock cpu|wall] [--profile]
 *
 * Per row: median forward time, median train-step time (forward + gradients w.r.t. every input),
 * backward = step − forward, GFLOP/s of each (multiply-add = 2 FLOP; backward counted as the dx and
 * dW products, 2× forward for convolutions), and step/forward (goal for MBConv on wasm: ≤ 3.5).
 * The default clock is this process's CPU time (user + system): the wasm backend runs on one thread,
 * so on an idle machine it equals wall time, and on a shared one it is far less disturbed by others.
 *
 * `--only dwfwd` times the depthwise forward alone, XNNPACK against the AssemblyScript kernel
 * (runtime/kernels/wasm-depthwise.ts) on the same tensors; `--dw-forward` picks which one the other
 * rows use (auto = the size table in that file; xnnpack = the "before" figures).
 */
import { parseArgs } from 'node:util';
import { Rng } from '../core/rng.ts';
import { initTf, tf } from '../runtime/tf.ts';
import { setKernelMode, type KernelMode } from '../runtime/kernels/loader.ts';
import { setDepthwiseForwardMode, type DepthwiseForwardMode } from '../runtime/kernels/wasm-depthwise.ts';
import {
  avgPool, batchNormTrain, dense, depthwiseConv2d, hardSwish, maxPool, pointwiseConv2d, relu6, wasmGradKernelsNative, conv2d,
} from '../runtime/ops/index.ts';
import { installKernels } from '../runtime/kernels/install.ts';
installKernels();

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    kernels: { type: 'string', default: 'auto' },
    profile: { type: 'boolean', default: false },
    clock: { type: 'string', default: 'cpu' },
    'dw-forward': { type: 'string', default: 'auto' },
  },
});
const dwModes: Record<string, DepthwiseForwardMode> = { auto: 'auto', xnnpack: 'never', ours: 'always' };
const dwMode = dwModes[args['dw-forward']!];
if (!dwMode) throw new Error(`--dw-forward: expected auto, xnnpack or ours, got ${args['dw-forward']}`);
setDepthwiseForwardMode(dwMode);
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got ${args.runs}`);
setKernelMode(args.kernels as KernelMode);

interface Case {
  name: string;
  shapes: number[][];
  /** Forward; inputs in the order of `shapes`. */
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  fwdFlops: number;
  bwdFlops: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (args.clock !== 'cpu' && args.clock !== 'wall') throw new Error(`--clock: expected cpu or wall, got ${args.clock}`);
function time(fn: () => void): number {
  if (args.clock === 'wall') {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  }
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function measure(c: Case, rng: Rng): Promise<{ fwd: number; step: number }> {
  const xs = c.shapes.map((s) => tf.randomNormal(s, 0, 1, 'float32', rng.int32Seed()));
  const r = tf.tidy(() => tf.randomNormal(c.f(...xs).shape, 0, 1, 'float32', rng.int32Seed()));
  const loss = (...ts: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ts), r)) as tf.Scalar;
  const fwd = () => tf.tidy(() => { loss(...xs).dataSync(); });
  const step = () => tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(loss)(xs);
    value.dataSync();
    for (const g of grads) g.dataSync();
  });
  fwd(); step(); // warm-up: kernel setup, heap growth
  if (args.profile) await profileStep(c.name, step);
  const f: number[] = [], s: number[] = [];
  for (let i = 0; i < runs; i++) { f.push(time(fwd)); s.push(time(step)); }
  tf.dispose([...xs, r]);
  return { fwd: median(f), step: median(s) };
}

/** Kernel time of one train step summed per kernel name (where the backward time goes). */
async function profileStep(name: string, step: () => void): Promise<void> {
  const info = await tf.profile(() => { step(); return []; });
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`profile ${name}: ${top.map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', ')} (ms)`);
}

const N = 64;
const conv = (n: number, h: number, w: number, cin: number, cout: number, k: number) => 2 * n * h * w * cin * cout * k * k;

function opCases(): Case[] {
  const h = 14, cs: Case[] = [];
  cs.push({ name: `pointwise 32→192 ${h}²`, shapes: [[N, h, h, 32], [1, 1, 32, 192]],
    f: (x, w) => pointwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D), fwdFlops: conv(N, h, h, 32, 192, 1), bwdFlops: 2 * conv(N, h, h, 32, 192, 1) });
  cs.push({ name: `pointwise 192→32 ${h}²`, shapes: [[N, h, h, 192], [1, 1, 192, 32]],
    f: (x, w) => pointwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D), fwdFlops: conv(N, h, h, 192, 32, 1), bwdFlops: 2 * conv(N, h, h, 192, 32, 1) });
  for (const k of [3, 5, 7]) {
    for (const s of [1, 2] as const) {
      const o = Math.ceil(h / s), fl = 2 * N * o * o * 192 * k * k;
      cs.push({ name: `depthwise ${k}×${k}/${s} 192 ${h}²`, shapes: [[N, h, h, 192], [k, k, 192, 1]],
        f: (x, w) => depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, { stride: s }), fwdFlops: fl, bwdFlops: 2 * fl });
    }
  }
  for (const [k, s, g] of [[3, 1, 1], [3, 2, 1], [5, 1, 1], [3, 1, 4]] as const) {
    const o = Math.ceil(h / s), fl = conv(N, o, o, 32 / g, 32, k);
    cs.push({ name: `conv ${k}×${k}/${s} g${g} 32→32 ${h}²`, shapes: [[N, h, h, 32], [k, k, 32 / g, 32]],
      f: (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, { stride: s, groups: g }), fwdFlops: fl, bwdFlops: 2 * fl });
  }
  cs.push({ name: 'dense 64×1024→256', shapes: [[N, 1024], [1024, 256], [256]],
    f: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), fwdFlops: 2 * N * 1024 * 256, bwdFlops: 4 * N * 1024 * 256 });
  const el = N * h * h * 192;
  cs.push({ name: `batch norm train 192 ${h}²`, shapes: [[N, h, h, 192], [192], [192]],
    f: (x, g, b) => batchNormTrain(x as tf.Tensor4D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y, fwdFlops: 8 * el, bwdFlops: 12 * el });
  cs.push({ name: `relu6 192 ${h}²`, shapes: [[N, h, h, 192]], f: (x) => relu6(x!), fwdFlops: el, bwdFlops: el });
  cs.push({ name: `hard-swish 192 ${h}²`, shapes: [[N, h, h, 192]], f: (x) => hardSwish(x!), fwdFlops: 4 * el, bwdFlops: 6 * el });
  cs.push({ name: `max pool 3/2 192 ${h}²`, shapes: [[N, h, h, 192]], f: (x) => maxPool(x as tf.Tensor4D, 3, 2), fwdFlops: 9 * el / 4, bwdFlops: 9 * el / 4 });
  cs.push({ name: `avg pool 3/2 192 ${h}²`, shapes: [[N, h, h, 192]], f: (x) => avgPool(x as tf.Tensor4D, 3, 2), fwdFlops: 9 * el / 4, bwdFlops: 9 * el / 4 });
  return cs;
}

/** 1×1 expand → BN → relu6 → depthwise k×k → BN → relu6 → 1×1 project → BN (training-mode BN). */
export function mbconvCase(h: number, k: number, cin = 32, e = 192): Case {
  const bn = (x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(x, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y;
  const macs = N * h * h * (cin * e + e * k * k + e * cin);
  return {
    name: `MBConv ${cin}→${e}→${cin} k${k} ${h}²`,
    shapes: [[N, h, h, cin], [1, 1, cin, e], [e], [e], [k, k, e, 1], [e], [e], [1, 1, e, cin], [cin], [cin]],
    f: (x, we, g1, b1, wd, g2, b2, wp, g3, b3) => {
      const a = relu6(bn(pointwiseConv2d(x as tf.Tensor4D, we as tf.Tensor4D), g1!, b1!));
      const d = relu6(bn(depthwiseConv2d(a, wd as tf.Tensor4D), g2!, b2!));
      return bn(pointwiseConv2d(d, wp as tf.Tensor4D), g3!, b3!);
    },
    fwdFlops: 2 * macs,
    bwdFlops: 4 * macs,
  };
}

function mbconvCases(): Case[] {
  const cs: Case[] = [];
  for (const h of [14, 28]) for (const k of [3, 5, 7]) cs.push(mbconvCase(h, k));
  return cs;
}

/** Depthwise forward alone, XNNPACK vs ours on the same tensors (median of `runs`). */
function dwForwardRows(rng: Rng): string[][] {
  const rows: string[][] = [['depthwise forward', 'XNNPACK ms', 'ours ms', 'XNNPACK GFLOP/s', 'ours GFLOP/s', 'speed-up']];
  const shapes: Array<[number, number, number, number]> = [[32, 28, 28, 96], [N, 14, 14, 192], [N, 28, 28, 192]];
  for (const [n, h, w, c] of shapes) {
    for (const k of [3, 5, 7]) {
      for (const s of [1, 2] as const) {
        const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', rng.int32Seed()) as tf.Tensor4D;
        const f = tf.randomNormal([k, k, c, 1], 0, 1, 'float32', rng.int32Seed()) as tf.Tensor4D;
        const flops = 2 * n * Math.ceil(h / s) * Math.ceil(w / s) * c * k * k;
        const ms = (['never', 'always'] as const).map((m) => {
          setDepthwiseForwardMode(m);
          const once = () => tf.depthwiseConv2d(x, f, s, 'same').dispose(); // wasm runs kernels synchronously
          once();
          const t: number[] = [];
          for (let i = 0; i < runs; i++) t.push(time(once));
          return median(t);
        });
        tf.dispose([x, f]);
        const [a, b] = ms as [number, number];
        rows.push([`${k}×${k}/${s} [${n},${h},${w},${c}]`, a.toFixed(1), b.toFixed(1), (flops / a / 1e6).toFixed(2),
          (flops / b / 1e6).toFixed(2), (a / b).toFixed(2)]);
        process.stderr.write('.');
      }
    }
  }
  setDepthwiseForwardMode(dwMode!);
  process.stderr.write('\n');
  return rows;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
}

const info = await initTf(args.backend);
const native = info.backend === 'wasm' ? (wasmGradKernelsNative() ? 'AssemblyScript' : 'JS') : 'n/a';
console.log(`backend ${info.backend} (tfjs ${info.tfjsVersion}), gradient kernels ${native}, depthwise forward ${args['dw-forward']}, batch ${N}, median of ${runs} runs, ${args.clock} time`);
if (args.only === 'dwfwd') {
  if (info.backend !== 'wasm') throw new Error(`--only dwfwd compares wasm kernels; the backend is ${info.backend}`);
  printTable(dwForwardRows(new Rng('bench-dwfwd')));
  process.exit(0);
}
const header = ['case', 'fwd ms', 'step ms', 'bwd ms', 'fwd GFLOP/s', 'bwd GFLOP/s', 'step/fwd'];
const rows: string[][] = [header];
const cases = [...(args.only === 'mbconv' ? [] : opCases()), ...(args.only === 'ops' ? [] : mbconvCases())];
const rng = new Rng('bench-ops');
for (const c of cases) {
  const { fwd, step } = await measure(c, rng.fork(c.name));
  const bwd = Math.max(step - fwd, 1e-6);
  rows.push([c.name, fwd.toFixed(1), step.toFixed(1), bwd.toFixed(1), (c.fwdFlops / fwd / 1e6).toFixed(2),
    (c.bwdFlops / bwd / 1e6).toFixed(2), (step / fwd).toFixed(2)]);
  process.stderr.write('.');
}
process.stderr.write('\n');
printTable(rows);
