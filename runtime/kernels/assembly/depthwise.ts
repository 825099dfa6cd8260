// Gradient kernels: depthwise convolution (NHWC, channel multiplier 1) and tall AᵀB products.
//
// The module imports its memory: on the main thread that is the tfjs wasm backend's own heap, so the
// pointers are tensors' `memoryOffset`s and nothing is copied; in a worker it is a shared memory
// the caller filled. Because it writes into memory it does not own, this file must never create
// static data (no strings, arrays or allocations) — build.mjs checks the module has no data segment.
//
// Vectorised over channels (contiguous in NHWC), with 16 channels' accumulators kept in four v128
// registers while streaming one output row, so each multiply-add needs only two loads.

export { dwForward } from './parts/dw-forward';

/** Valid output column range [lo, hi) for filter column `k`: 0 <= o*s + k - pad < size. */
@inline function lowOut(k: i32, s: i32, pad: i32): i32 {
  const d = pad - k;
  return d > 0 ? (d + s - 1) / s : 0;
}

@inline function highOut(k: i32, s: i32, pad: i32, size: i32, outSize: i32): i32 {
  const d = size - 1 + pad - k;
  if (d < 0) return 0;
  const hi = d / s + 1;
  return hi < outSize ? hi : outSize;
}

/**
 * dW[ky, kx, ch] = Σ_{b, oy, ox} x[b, oy·sh + ky − pt, ox·sw + kx − pl, ch] · dy[b, oy, ox, ch]
 * for channels ch ∈ [c0, c1) and batches b ∈ [b0, b1). `out` ([kh, kw, c] floats) is overwritten
 * for those channels when `accumulate` is 0, added to otherwise.
 */
export function dwFilterGrad(
  x: usize, dy: usize, out: usize,
  b0: i32, b1: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  c0: i32, c1: i32, accumulate: i32,
): void {
  if (accumulate == 0) {
    for (let k = 0; k < kh * kw; k++) {
      for (let ch = c0; ch < c1; ch++) store<f32>(out + ((<usize>(k * c + ch)) << 2), 0);
    }
  }
  const cBytes = <usize>c << 2;
  const sxBytes = <usize>(sw * c) << 2;
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const dyRow = dy + ((<usize>((b * oh + oy) * ow * c)) << 2);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh + ky - pt;
        if (iy < 0 || iy >= h) continue;
        const xRow = x + ((<usize>((b * h + iy) * w * c)) << 2);
        for (let kx = 0; kx < kw; kx++) {
          const lo = lowOut(kx, sw, pl);
          const hi = highOut(kx, sw, pl, w, ow);
          if (lo >= hi) continue;
          const acc = out + ((<usize>((ky * kw + kx) * c)) << 2);
          const xStart = xRow + ((<usize>((lo * sw + kx - pl) * c)) << 2);
          const dStart = dyRow + ((<usize>(lo * c)) << 2);
          let ch = c0;
          for (; ch + 16 <= c1; ch += 16) {
            const off = <usize>ch << 2;
            let a0 = v128.load(acc + off, 0);
            let a1 = v128.load(acc + off, 16);
            let a2 = v128.load(acc + off, 32);
            let a3 = v128.load(acc + off, 48);
            let xp = xStart + off;
            let dp = dStart + off;
            for (let o = lo; o < hi; o++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(dp, 0)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(dp, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(xp, 32), v128.load(dp, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(xp, 48), v128.load(dp, 48)));
              xp += sxBytes;
              dp += cBytes;
            }
            v128.store(acc + off, a0, 0);
            v128.store(acc + off, a1, 16);
            v128.store(acc + off, a2, 32);
            v128.store(acc + off, a3, 48);
          }
          for (; ch + 4 <= c1; ch += 4) {
            const off = <usize>ch << 2;
            let a0 = v128.load(acc + off, 0);
            let xp = xStart + off;
            let dp = dStart + off;
            for (let o = lo; o < hi; o++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(dp, 0)));
              xp += sxBytes;
              dp += cBytes;
            }
            v128.store(acc + off, a0, 0);
          }
          for (; ch < c1; ch++) {
            const off = <usize>ch << 2;
            let a: f32 = load<f32>(acc + off);
            let xp = xStart + off;
            let dp = dStart + off;
            for (let o = lo; o < hi; o++) {
              a += load<f32>(xp) * load<f32>(dp);
              xp += sxBytes;
              dp += cBytes;
            }
            store<f32>(acc + off, a);
          }
        }
      }
    }
  }
}

/**
 * dx[b, iy, ix, ch] = Σ_{ky, kx} dy[b, oy, ox, ch] · f[ky, kx, ch] over the (oy, ox) with
 * oy·sh + ky − pt = iy (likewise for x). Scatter form: each dy row adds into the dx rows it touched,
 * so any stride works without dilating dy. `dx` must be zeroed by the caller.
 */
export function dwInputGrad(
  dy: usize, f: usize, dx: usize,
  b0: i32, b1: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const cBytes = <usize>c << 2;
  const sxBytes = <usize>(sw * c) << 2;
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const dyRow = dy + ((<usize>((b * oh + oy) * ow * c)) << 2);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh + ky - pt;
        if (iy < 0 || iy >= h) continue;
        const dxRow = dx + ((<usize>((b * h + iy) * w * c)) << 2);
        for (let kx = 0; kx < kw; kx++) {
          const lo = lowOut(kx, sw, pl);
          const hi = highOut(kx, sw, pl, w, ow);
          if (lo >= hi) continue;
          const fk = f + ((<usize>((ky * kw + kx) * c)) << 2);
          const xStart = dxRow + ((<usize>((lo * sw + kx - pl) * c)) << 2);
          const dStart = dyRow + ((<usize>(lo * c)) << 2);
          let ch = 0;
          for (; ch + 8 <= c; ch += 8) {
            const off = <usize>ch << 2;
            const f0 = v128.load(fk + off, 0);
            const f1 = v128.load(fk + off, 16);
            let xp = xStart + off;
            let dp = dStart + off;
            for (let o = lo; o < hi; o++) {
              v128.store(xp, f32x4.add(v128.load(xp, 0), f32x4.mul(v128.load(dp, 0), f0)), 0);
              v128.store(xp, f32x4.add(v128.load(xp, 16), f32x4.mul(v128.load(dp, 16), f1)), 16);
              xp += sxBytes;
              dp += cBytes;
            }
          }
          for (; ch < c; ch++) {
            const off = <usize>ch << 2;
            const fv = load<f32>(fk + off);
            let xp = xStart + off;
            let dp = dStart + off;
            for (let o = lo; o < hi; o++) {
              store<f32>(xp, load<f32>(xp) + load<f32>(dp) * fv);
              xp += sxBytes;
              dp += cBytes;
            }
          }
        }
      }
    }
  }
}

/**
 * out[i, j] = Σ_r a[r, i] · b[r, j] for a [rows, m] and b [rows, n]: the filter gradient of a 1×1 (or
 * im2col'd k×k) convolution, where rows = N·H·W is large and m, n are channel counts. Rows are
 * walked in blocks that stay in cache while a 4×8 tile of out is held in eight v128 accumulators.
 * (XNNPACK would pack a or b as weights on every call, costing more than this whole product.)
 */
export function tallAtB(a: usize, b: usize, out: usize, rows: i32, m: i32, n: i32): void {
  for (let k = 0; k < m * n; k++) store<f32>(out + ((<usize>k) << 2), 0);
  const aStride = <usize>m << 2;
  const bStride = <usize>n << 2;
  const nBytes = <usize>n << 2;
  const R = 64;
  for (let r0 = 0; r0 < rows; r0 += R) {
    const r1 = r0 + R < rows ? r0 + R : rows;
    const aBlock = a + (<usize>r0) * aStride;
    const bBlock = b + (<usize>r0) * bStride;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const o0 = out + (<usize>i) * nBytes;
      let j = 0;
      for (; j + 8 <= n; j += 8) {
        const oj = o0 + ((<usize>j) << 2);
        let c00 = v128.load(oj, 0), c01 = v128.load(oj, 16);
        let c10 = v128.load(oj + nBytes, 0), c11 = v128.load(oj + nBytes, 16);
        let c20 = v128.load(oj + 2 * nBytes, 0), c21 = v128.load(oj + 2 * nBytes, 16);
        let c30 = v128.load(oj + 3 * nBytes, 0), c31 = v128.load(oj + 3 * nBytes, 16);
        let ap = aBlock + ((<usize>i) << 2);
        let bp = bBlock + ((<usize>j) << 2);
        for (let r = r0; r < r1; r++) {
          const b0 = v128.load(bp, 0), b1 = v128.load(bp, 16);
          const a0 = f32x4.splat(load<f32>(ap, 0)), a1 = f32x4.splat(load<f32>(ap, 4));
          const a2 = f32x4.splat(load<f32>(ap, 8)), a3 = f32x4.splat(load<f32>(ap, 12));
          c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1));
          c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1));
          c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1));
          c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1));
          ap += aStride;
          bp += bStride;
        }
        v128.store(oj, c00, 0); v128.store(oj, c01, 16);
        v128.store(oj + nBytes, c10, 0); v128.store(oj + nBytes, c11, 16);
        v128.store(oj + 2 * nBytes, c20, 0); v128.store(oj + 2 * nBytes, c21, 16);
        v128.store(oj + 3 * nBytes, c30, 0); v128.store(oj + 3 * nBytes, c31, 16);
      }
      if (j < n) atbScalar(aBlock, bBlock, out, r0, r1, m, n, i, i + 4, j);
    }
    if (i < m) atbScalar(aBlock, bBlock, out, r0, r1, m, n, i, m, 0);
  }
}

/** The leftover rows [i0, i1) × columns [j0, n) of `tallAtB`'s tile grid, one element at a time. */
function atbScalar(aBlock: usize, bBlock: usize, out: usize, r0: i32, r1: i32, m: i32, n: i32, i0: i32, i1: i32, j0: i32): void {
  const aStride = <usize>m << 2;
  const bStride = <usize>n << 2;
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < n; j++) {
      let acc: f32 = 0;
      let ap = aBlock + ((<usize>i) << 2);
      let bp = bBlock + ((<usize>j) << 2);
      for (let r = r0; r < r1; r++) {
        acc += load<f32>(ap) * load<f32>(bp);
        ap += aStride;
        bp += bStride;
      }
      const o = out + ((<usize>(i * n + j)) << 2);
      store<f32>(o, load<f32>(o) + acc);
    }
  }
}
