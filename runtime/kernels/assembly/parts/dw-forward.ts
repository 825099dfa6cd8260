// Depthwise convolution forward (NHWC, channel multiplier 1), re-exported by ../depthwise.ts.
// Lives in a subfolder so build.mjs does not compile it as a module of its own.
//
// XNNPACK (tfjs-backend-wasm 4.22) only has fast micro-kernels for 3×3 and 5×5 filters; for 7×7 it
// falls to a generic path near 1.4 GFLOP/s. Here every output pixel keeps 16 channels' sums in four
// v128 registers over the whole k×k window, so each multiply-add costs two loads from L1 (the
// window's 16-channel slice of x and of the filter are each one cache line per tap) and the output
// is written once, with the bias added first and the clamp (relu / relu6 / none) applied last.

/**
 * out[b, oy, ox, ch] = clamp(bias[ch] + Σ_{ky,kx} x[b, oy·sh + ky − pt, ox·sw + kx − pl, ch] · f[ky, kx, ch], lo, hi),
 * taps outside the input counting as zero. `bias` 0 means no bias; lo/hi = ∓Infinity for no clamp.
 * Overwrites all of `out` ([n, oh, ow, c]).
 */
export function dwForward(
  x: usize, f: usize, bias: usize, out: usize,
  n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  lo: f32, hi: f32,
): void {
  const cBytes = <usize>c << 2;
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  const zero = f32x4.splat(0);
  let op = out;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const iyBase = oy * sh - pt;
      const ky0 = iyBase < 0 ? -iyBase : 0;
      const ky1 = h - iyBase < kh ? h - iyBase : kh;
      const xImage = x + (<usize>(b * h)) * (<usize>w) * cBytes;
      for (let ox = 0; ox < ow; ox++) {
        const ixBase = ox * sw - pl;
        // Stride 1, four interior pixels whose windows are whole along x: one shared pass. Only for
        // kw ≥ 5: with 3 taps per row the per-row preloads eat the saving, and measured slower.
        if (sw == 1 && kw >= 5 && c >= 4 && ox + 4 <= ow && ixBase >= 0 && ixBase + 3 + kw <= w) {
          quad(xImage + (<usize>ixBase) * cBytes, f, bias, op, w, c, iyBase, ky0, ky1, kw, vlo, vhi, lo, hi);
          op += cBytes << 2;
          ox += 3;
          continue;
        }
        const kx0 = ixBase < 0 ? -ixBase : 0;
        const kx1 = w - ixBase < kw ? w - ixBase : kw;
        const taps = kx1 - kx0;
        // x at (iyBase + ky0, ixBase + kx0) and f at (ky0, kx0), channel 0.
        const x0 = xImage + ((<usize>((iyBase + ky0) * w + ixBase + kx0)) * cBytes);
        const f0 = f + ((<usize>(ky0 * kw + kx0)) * cBytes);
        const xRowStep = (<usize>w) * cBytes;
        const fRowStep = (<usize>kw) * cBytes;
        let ch = 0;
        for (; ch + 16 <= c; ch += 16) {
          const off = <usize>ch << 2;
          let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
          if (bias != 0) {
            a0 = v128.load(bias + off, 0); a1 = v128.load(bias + off, 16);
            a2 = v128.load(bias + off, 32); a3 = v128.load(bias + off, 48);
          }
          let xr = x0 + off;
          let fr = f0 + off;
          for (let ky = ky0; ky < ky1; ky++) {
            let xp = xr, fp = fr;
            for (let t = 0; t < taps; t++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(fp, 0)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(fp, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(xp, 32), v128.load(fp, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(xp, 48), v128.load(fp, 48)));
              xp += cBytes;
              fp += cBytes;
            }
            xr += xRowStep;
            fr += fRowStep;
          }
          v128.store(op + off, f32x4.min(f32x4.max(a0, vlo), vhi), 0);
          v128.store(op + off, f32x4.min(f32x4.max(a1, vlo), vhi), 16);
          v128.store(op + off, f32x4.min(f32x4.max(a2, vlo), vhi), 32);
          v128.store(op + off, f32x4.min(f32x4.max(a3, vlo), vhi), 48);
        }
        for (; ch + 4 <= c; ch += 4) {
          const off = <usize>ch << 2;
          let a0 = bias != 0 ? v128.load(bias + off, 0) : zero;
          let xr = x0 + off;
          let fr = f0 + off;
          for (let ky = ky0; ky < ky1; ky++) {
            let xp = xr, fp = fr;
            for (let t = 0; t < taps; t++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(fp, 0)));
              xp += cBytes;
              fp += cBytes;
            }
            xr += xRowStep;
            fr += fRowStep;
          }
          v128.store(op + off, f32x4.min(f32x4.max(a0, vlo), vhi), 0);
        }
        for (; ch < c; ch++) {
          const off = <usize>ch << 2;
          let a: f32 = bias != 0 ? load<f32>(bias + off) : 0;
          let xr = x0 + off;
          let fr = f0 + off;
          for (let ky = ky0; ky < ky1; ky++) {
            let xp = xr, fp = fr;
            for (let t = 0; t < taps; t++) {
              a += load<f32>(xp) * load<f32>(fp);
              xp += cBytes;
              fp += cBytes;
            }
            xr += xRowStep;
            fr += fRowStep;
          }
          store<f32>(op + off, min(max(a, lo), hi));
        }
        op += cBytes;
      }
    }
  }
}

/**
 * Four adjacent output pixels (stride 1, full filter width in range), four channels at a time. Along
 * a filter row the x vectors slide by one pixel per tap, so each tap loads one new x vector and one
 * filter vector for four multiply-adds (the single-pixel loop needs two loads for one).
 * `xCol` is x at row 0 of this image, the first window's left column; `op` the first output pixel.
 */
@inline function quad(
  xCol: usize, f: usize, bias: usize, op: usize, w: i32, c: i32,
  iyBase: i32, ky0: i32, ky1: i32, kw: i32, vlo: v128, vhi: v128, lo: f32, hi: f32,
): void {
  const cBytes = <usize>c << 2;
  const xRowStep = (<usize>w) * cBytes;
  const fRowStep = (<usize>kw) * cBytes;
  const xTop = xCol + (<usize>(iyBase + ky0)) * xRowStep;
  const fTop = f + (<usize>ky0) * fRowStep;
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const off = <usize>ch << 2;
    let a0 = f32x4.splat(0);
    if (bias != 0) a0 = v128.load(bias + off);
    let a1 = a0, a2 = a0, a3 = a0;
    let xr = xTop + off;
    let fr = fTop + off;
    for (let ky = ky0; ky < ky1; ky++) {
      let x0 = v128.load(xr);
      let x1 = v128.load(xr + cBytes);
      let x2 = v128.load(xr + 2 * cBytes);
      let xp = xr + 3 * cBytes;
      let fp = fr;
      for (let t = 0; t < kw; t++) {
        const x3 = v128.load(xp);
        const fv = v128.load(fp);
        a0 = f32x4.add(a0, f32x4.mul(x0, fv));
        a1 = f32x4.add(a1, f32x4.mul(x1, fv));
        a2 = f32x4.add(a2, f32x4.mul(x2, fv));
        a3 = f32x4.add(a3, f32x4.mul(x3, fv));
        x0 = x1; x1 = x2; x2 = x3;
        xp += cBytes;
        fp += cBytes;
      }
      xr += xRowStep;
      fr += fRowStep;
    }
    v128.store(op + off, f32x4.min(f32x4.max(a0, vlo), vhi));
    v128.store(op + off + cBytes, f32x4.min(f32x4.max(a1, vlo), vhi));
    v128.store(op + off + 2 * cBytes, f32x4.min(f32x4.max(a2, vlo), vhi));
    v128.store(op + off + 3 * cBytes, f32x4.min(f32x4.max(a3, vlo), vhi));
  }
  for (; ch < c; ch++) {
    const off = <usize>ch << 2;
    for (let p = 0; p < 4; p++) {
      let a: f32 = bias != 0 ? load<f32>(bias + off) : 0;
      let xr = xTop + off + (<usize>p) * cBytes;
      let fr = fTop + off;
      for (let ky = ky0; ky < ky1; ky++) {
        let xp = xr, fp = fr;
        for (let t = 0; t < kw; t++) {
          a += load<f32>(xp) * load<f32>(fp);
          xp += cBytes;
          fp += cBytes;
        }
        xr += xRowStep;
        fr += fRowStep;
      }
      store<f32>(op + off + (<usize>p) * cBytes, min(max(a, lo), hi));
    }
  }
}
