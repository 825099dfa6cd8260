/**
 * The depthwise gradient kernels called directly (compiled AssemblyScript and the JS fallback) on a
 * memory of their own (and the tall aᵀ·b product), against references written from the definition, including the batch and
 * channel ranges and the accumulate flag that the registered tfjs kernels do not exercise.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';
import { depthwiseKernels, setKernelMode, wasmApi, type DepthwiseKernels } from '../../../runtime/kernels/loader.ts';
import { jsDepthwiseKernels } from '../../../runtime/kernels/js.ts';

interface Geometry {
  n: number; h: number; w: number; c: number; k: number; s: number;
  oh: number; ow: number; pt: number; pl: number;
}

function geometry(rng: Rng): Geometry {
  const k = rng.choice([3, 5, 7]), s = rng.choice([1, 2]);
  const n = rng.intBetween(1, 3), h = rng.intBetween(3, 12), w = rng.intBetween(3, 12), c = rng.intBetween(1, 37);
  const oh = Math.ceil(h / s), ow = Math.ceil(w / s);
  // "same" padding as tfjs computes it: the smaller half on top/left.
  const pt = Math.floor(Math.max(0, (oh - 1) * s + k - h) / 2), pl = Math.floor(Math.max(0, (ow - 1) * s + k - w) / 2);
  return { n, h, w, c, k, s, oh, ow, pt, pl };
}

function refFilterGrad(g: Geometry, x: Float32Array, dy: Float32Array, b0: number, b1: number): Float64Array {
  const out = new Float64Array(g.k * g.k * g.c);
  for (let b = b0; b < b1; b++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      const iy = oy * g.s + ky - g.pt, ix = ox * g.s + kx - g.pl;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      for (let ch = 0; ch < g.c; ch++) {
        out[(ky * g.k + kx) * g.c + ch]! += x[((b * g.h + iy) * g.w + ix) * g.c + ch]! * dy[((b * g.oh + oy) * g.ow + ox) * g.c + ch]!;
      }
    }
  }
  return out;
}

function refInputGrad(g: Geometry, dy: Float32Array, f: Float32Array): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      const iy = oy * g.s + ky - g.pt, ix = ox * g.s + kx - g.pl;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      for (let ch = 0; ch < g.c; ch++) {
        dx[((b * g.h + iy) * g.w + ix) * g.c + ch]! += dy[((b * g.oh + oy) * g.ow + ox) * g.c + ch]! * f[(ky * g.k + kx) * g.c + ch]!;
      }
    }
  }
  return dx;
}

function maxDiff(a: Float32Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

const memory = new wasmApi.Memory({ initial: 64 });
const heap = () => new Float32Array(memory.buffer);
setKernelMode('auto');
const compiled = depthwiseKernels(memory);
const impls: Array<[string, DepthwiseKernels | null]> = [['AssemblyScript', compiled], ['JS', jsDepthwiseKernels(heap)]];

describe.each(impls)('%s depthwise kernels', (name, k) => {
  it('are available', () => expect(k, `${name} kernels missing (run node runtime/kernels/build.mjs)`).not.toBeNull());

  const rng = new Rng(`dw-kernels-${name}`);
  for (let trial = 0; trial < 8; trial++) {
    it(`match the definition, trial ${trial}`, () => {
      const g = geometry(rng);
      const xLen = g.n * g.h * g.w * g.c, dyLen = g.n * g.oh * g.ow * g.c, fLen = g.k * g.k * g.c;
      // Float offsets (bytes = ×4), 16-byte aligned like tfjs allocations.
      const X = 0, DY = X + xLen + 4 - (xLen % 4), F = DY + dyLen + 4 - (dyLen % 4), O = F + fLen + 4, DX = O + fLen + 4;
      const m = heap();
      for (let i = 0; i < DX + xLen; i++) m[i] = rng.normal();
      const x = m.slice(X, X + xLen), dy = m.slice(DY, DY + dyLen), f = m.slice(F, F + fLen);

      // Two passes over batch halves and a channel sub-range: the second accumulates into the first.
      const bMid = Math.floor(g.n / 2), c0 = Math.floor(g.c / 3), c1 = g.c;
      const args = [g.h, g.w, g.c, g.oh, g.ow, g.k, g.k, g.s, g.s, g.pt, g.pl] as const;
      k!.dwFilterGrad(X * 4, DY * 4, O * 4, 0, bMid, ...args, c0, c1, 0);
      k!.dwFilterGrad(X * 4, DY * 4, O * 4, bMid, g.n, ...args, c0, c1, 1);
      const want = refFilterGrad(g, x, dy, 0, g.n);
      const got = heap().slice(O, O + fLen);
      for (let t = 0; t < g.k * g.k; t++) for (let ch = 0; ch < c0; ch++) want[t * g.c + ch] = got[t * g.c + ch]!; // untouched range
      expect(maxDiff(got, want), `filter grad ${JSON.stringify(g)}`).toBeLessThan(1e-5);
      expect(Array.from(got.subarray(0, c0)).every((v, i) => v === m[O + i])).toBe(true);

      heap().fill(0, DX, DX + xLen);
      k!.dwInputGrad(DY * 4, F * 4, DX * 4, 0, g.n, ...args);
      expect(maxDiff(heap().slice(DX, DX + xLen), refInputGrad(g, dy, f)), `input grad ${JSON.stringify(g)}`).toBeLessThan(1e-5);
    });
  }

  for (let trial = 0; trial < 6; trial++) {
    it(`tallAtB equals aᵀ·b, trial ${trial}`, () => {
      // Sizes off the 4×8 tile and the 64-row block so every tail path runs.
      const rows = rng.intBetween(1, 300), m = rng.intBetween(1, 37), n = rng.intBetween(1, 37);
      const A = 0, B = rows * m + 4, O = B + rows * n + 4;
      const mem = heap();
      for (let i = 0; i < O + m * n; i++) mem[i] = rng.normal();
      k!.tallAtB(A * 4, B * 4, O * 4, rows, m, n);
      const want = new Float64Array(m * n);
      for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[i * n + j]! += mem[A + r * m + i]! * mem[B + r * n + j]!;
      expect(maxDiff(heap().slice(O, O + m * n), want), `rows ${rows} m ${m} n ${n}`).toBeLessThan(1e-5);
    });
  }
});
