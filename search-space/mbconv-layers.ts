/**
 * Lowers an mbconv arch to the layer list the cost models consume (core/types.ts LayerSpec).
 *
 * Network: stem conv k×k → per stage `depth` MBConv blocks (1×1 expand → k×k depthwise with the
 * stage stride on the first block → 1×1 project; residual add when shapes match, which costs no
 * MACs and is marked on the project layer as `residualFrom`) → 1×1 head conv → global average pool → FC.
 * Bits: block layers use the block's wbits for weights and abits for inputs; stem, head, pool and
 * FC use `fixedBits`. A layer's output bits are the input bits of the layer that consumes it (the
 * activation is quantised once, when written); the final FC keeps its input precision.
 */
import type { LayerSpec } from '../core/types.ts';
import type { LayerDraft } from './layer-builder.ts';
import { conv, withOutputBits } from './layer-builder.ts';
import type { MbconvArch } from './mbconv-arch.ts';
import type { MbconvConfig } from './mbconv-config.ts';
import { makeDivisible, stageChannels } from './mbconv-config.ts';
import type { LayerOptions } from '../core/space/space.ts';

export function mbconvLayers(cfg: MbconvConfig, x: MbconvArch, options: LayerOptions = {}): LayerSpec[] {
  const n = options.batch ?? 1;
  const fixed = cfg.fixedBits;
  const out: LayerDraft[] = [];
  let h = x.resolution;
  let cin = cfg.stemChannels;
  out.push(conv(n, {
    name: 'stem', kind: 'conv', c: cfg.inputChannels, m: cin, h, k: 3, stride: cfg.stemStride, groups: 1,
    weights: fixed, inputs: fixed,
  }));
  h = (out[0] as LayerDraft).p;
  x.stages.forEach((st, s) => {
    const cout = stageChannels(cfg, s, st.width);
    for (let b = 0; b < st.depth; b++) {
      const blk = st.blocks[b];
      if (!blk) break;
      const stride = b === 0 ? (cfg.stages[s]?.stride ?? 1) : 1;
      const hidden = makeDivisible(cin * blk.expand, cfg.channelDivisor);
      const bits = { weights: blk.wbits, inputs: blk.abits };
      const pre = `stage${s}.block${b}`;
      out.push(conv(n, { name: `${pre}.expand`, kind: 'pointwise', c: cin, m: hidden, h, k: 1, stride: 1, groups: 1, ...bits }));
      const dw = conv(n, { name: `${pre}.depthwise`, kind: 'depthwise', c: hidden, m: hidden, h, k: blk.kernel, stride, groups: hidden, ...bits });
      out.push(dw);
      h = dw.p;
      const project = conv(n, { name: `${pre}.project`, kind: 'pointwise', c: hidden, m: cout, h, k: 1, stride: 1, groups: 1, ...bits });
      // Same shape in and out: the block adds its input back (the skip tensor stays live meanwhile).
      out.push(stride === 1 && cin === cout ? { ...project, residualFrom: `${pre}.expand` } : project);
      cin = cout;
    }
  });
  out.push(conv(n, { name: 'head', kind: 'pointwise', c: cin, m: cfg.headChannels, h, k: 1, stride: 1, groups: 1, weights: fixed, inputs: fixed }));
  out.push({
    name: 'pool', kind: 'pool', pool: 'avg', n, c: cfg.headChannels, m: cfg.headChannels, h, w: h, p: 1, q: 1, r: h, s: h,
    stride: 1, groups: cfg.headChannels, padding: 0, bits: { weights: fixed, inputs: fixed },
  });
  out.push(conv(n, { name: 'fc', kind: 'fc', c: cfg.headChannels, m: cfg.numClasses, h: 1, k: 1, stride: 1, groups: 1, weights: fixed, inputs: fixed }));
  return withOutputBits(out);
}
