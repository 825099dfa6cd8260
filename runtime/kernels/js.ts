/**
 * Plain-JS versions of the kernels in runtime/kernels/assembly/depthwise.ts, same arguments except that
 * pointers are float indices into `heap`. Used when the wasm build is absent or disabled; about an
 * order of magnitude slower, numerically the same loops.
 */
import type { DepthwiseKernels } from './loader.ts';

function lowOut(k: number, s: number, pad: number): number {
  const d = pad - k;
  return d > 0 ? Math.floor((d + s - 1) / s) : 0;
}

function highOut(k: number, s: number, pad: number, size: number, outSize: number): number {
  const d = size - 1 + pad - k;
  if (d < 0) return 0;
  return Math.min(Math.floor(d / s) + 1, outSize);
}

/** Adapts the JS loops to the `DepthwiseKernels` interface over a Float32Array view of a heap. */
export function jsDepthwiseKernels(heapOf: () => Float32Array): DepthwiseKernels {
  return {
    tallAtB(a, b, out, rows, m, n) {
      const h = heapOf();
      const A = a >>> 2, B = b >>> 2, O = out >>> 2;
      h.fill(0, O, O + m * n);
      for (let r = 0; r < rows; r++) {
        const ar = A + r * m, br = B + r * n;
        for (let i = 0; i < m; i++) {
          const av = h[ar + i]!, orow = O + i * n;
          for (let j = 0; j < n; j++) h[orow + j] = h[orow + j]! + av * h[br + j]!;
        }
      }
    },
    dwFilterGrad(x, dy, out, b0, b1, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, c0, c1, accumulate) {
      const m = heapOf();
      const X = x >>> 2, D = dy >>> 2, O = out >>> 2;
      if (accumulate === 0) {
        for (let k = 0; k < kh * kw; k++) for (let ch = c0; ch < c1; ch++) m[O + k * c + ch] = 0;
      }
      for (let b = b0; b < b1; b++) {
        for (let oy = 0; oy < oh; oy++) {
          const dyRow = D + (b * oh + oy) * ow * c;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh + ky - pt;
            if (iy < 0 || iy >= h) continue;
            const xRow = X + (b * h + iy) * w * c;
            for (let kx = 0; kx < kw; kx++) {
              const lo = lowOut(kx, sw, pl);
              const hi = highOut(kx, sw, pl, w, ow);
              const acc = O + (ky * kw + kx) * c;
              for (let o = lo; o < hi; o++) {
                const xp = xRow + (o * sw + kx - pl) * c;
                const dp = dyRow + o * c;
                for (let ch = c0; ch < c1; ch++) m[acc + ch] = m[acc + ch]! + m[xp + ch]! * m[dp + ch]!;
              }
            }
          }
        }
      }
    },
    dwInputGrad(dy, f, dx, b0, b1, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl) {
      const m = heapOf();
      const D = dy >>> 2, F = f >>> 2, X = dx >>> 2;
      for (let b = b0; b < b1; b++) {
        for (let oy = 0; oy < oh; oy++) {
          const dyRow = D + (b * oh + oy) * ow * c;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh + ky - pt;
            if (iy < 0 || iy >= h) continue;
            const dxRow = X + (b * h + iy) * w * c;
            for (let kx = 0; kx < kw; kx++) {
              const lo = lowOut(kx, sw, pl);
              const hi = highOut(kx, sw, pl, w, ow);
              const fk = F + (ky * kw + kx) * c;
              for (let o = lo; o < hi; o++) {
                const xp = dxRow + (o * sw + kx - pl) * c;
                const dp = dyRow + o * c;
                for (let ch = 0; ch < c; ch++) m[xp + ch] = m[xp + ch]! + m[dp + ch]! * m[fk + ch]!;
              }
            }
          }
        }
      }
    },
    dwForward(x, f, bias, out, n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, lo, hi) {
      const m = heapOf();
      const X = x >>> 2, F = f >>> 2, B = bias >>> 2;
      let o = out >>> 2;
      const acc = new Float32Array(c);
      for (let b = 0; b < n; b++) {
        for (let oy = 0; oy < oh; oy++) {
          const iyBase = oy * sh - pt;
          const ky0 = Math.max(0, -iyBase), ky1 = Math.min(kh, h - iyBase);
          for (let ox = 0; ox < ow; ox++) {
            const ixBase = ox * sw - pl;
            const kx0 = Math.max(0, -ixBase), kx1 = Math.min(kw, w - ixBase);
            if (bias !== 0) acc.set(m.subarray(B, B + c)); else acc.fill(0);
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) {
                const xp = X + ((b * h + iyBase + ky) * w + ixBase + kx) * c, fp = F + (ky * kw + kx) * c;
                for (let ch = 0; ch < c; ch++) acc[ch] = acc[ch]! + m[xp + ch]! * m[fp + ch]!;
              }
            }
            for (let ch = 0; ch < c; ch++) m[o + ch] = Math.min(Math.max(acc[ch]!, lo), hi);
            o += c;
          }
        }
      }
    },
  };
}
