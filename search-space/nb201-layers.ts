/**
 * Lowers a NAS-Bench-201 cell to the layers of its macro skeleton (Dong & Yang 2020, Fig. 1):
 * stem conv3×3 (C) → stage 0: N cells at C → reduction → stage 1: N cells at 2C → reduction →
 * stage 2: N cells at 4C → BN-ReLU → global average pool → FC. Defaults C = 16, N = 5, 32×32 input.
 * Reduction = residual basic block with stride 2: ReLU-conv3×3/2-BN, ReLU-conv3×3-BN, shortcut
 * avg-pool 2×2/2 then conv1×1. Cell ops: nor_conv_k = ReLU-conv k×k-BN (BN and ReLU cost no MACs
 * and are folded), avg_pool_3x3 = 3×3 stride-1 pooling, skip_connect and none add no layers.
 * The skeleton's stem, reductions, pool and FC are present whatever the cells hold.
 */
import type { LayerSpec } from '../core/types.ts';
import type { LayerDraft } from './layer-builder.ts';
import { conv, withOutputBits } from './layer-builder.ts';
import type { Nb201Arch } from './nb201-arch.ts';
import { NB201_EDGES } from './nb201-arch.ts';
import type { Nb201Config } from './nb201-config.ts';
import type { LayerOptions } from '../core/space/space.ts';

/** Edges that contribute to the cell output: not 'none', source reachable from node 0, target reaching node 3. */
export function liveEdges(x: Nb201Arch): boolean[] {
  const on = x.ops.map((op) => op !== 'none');
  const fromInput = [true, false, false, false];
  const toOutput = [false, false, false, true];
  NB201_EDGES.forEach((e, i) => {
    if (on[i] && fromInput[e.from]) fromInput[e.to] = true;
  });
  for (let i = NB201_EDGES.length - 1; i >= 0; i--) {
    const e = NB201_EDGES[i] as { from: number; to: number };
    if (on[i] && toOutput[e.to]) toOutput[e.from] = true;
  }
  return NB201_EDGES.map((e, i) => Boolean(on[i] && fromInput[e.from] && toOutput[e.to]));
}

export function nb201Layers(cfg: Nb201Config, x: Nb201Arch, options: LayerOptions = {}): LayerSpec[] {
  const n = options.batch ?? 1;
  const b = { weights: cfg.bits, inputs: cfg.bits };
  const out: LayerDraft[] = [];
  const computed = cfg.prune ? liveEdges(x) : x.ops.map((op) => op !== 'none');
  let h = cfg.resolution;
  let ch = cfg.stemChannels;
  out.push(conv(n, { name: 'stem', kind: 'conv', c: cfg.inputChannels, m: ch, h, k: 3, stride: 1, groups: 1, ...b }));
  for (let st = 0; st < cfg.stages; st++) {
    if (st > 0) {
      const pre = `reduce${st}`;
      const cin = ch;
      ch *= 2;
      const a = conv(n, { name: `${pre}.conv_a`, kind: 'conv', c: cin, m: ch, h, k: 3, stride: 2, groups: 1, ...b });
      out.push(a);
      out.push(conv(n, { name: `${pre}.conv_b`, kind: 'conv', c: ch, m: ch, h: a.p, k: 3, stride: 1, groups: 1, ...b }));
      out.push(conv(n, { name: `${pre}.shortcut_pool`, kind: 'pool', pool: 'avg', c: cin, m: cin, h, k: 2, stride: 2, groups: cin, ...b }));
      out.push(conv(n, { name: `${pre}.shortcut_conv`, kind: 'pointwise', c: cin, m: ch, h: a.p, k: 1, stride: 1, groups: 1, ...b }));
      h = a.p;
    }
    for (let cell = 0; cell < cfg.cellsPerStage; cell++) {
      x.ops.forEach((op, i) => {
        if (!computed[i]) return;
        const e = NB201_EDGES[i] as { from: number; to: number };
        const name = `stage${st}.cell${cell}.edge${e.from}to${e.to}`;
        const common = { c: ch, m: ch, h, stride: 1, ...b };
        if (op === 'nor_conv_3x3') out.push(conv(n, { name, kind: 'conv', k: 3, groups: 1, ...common }));
        else if (op === 'nor_conv_1x1') out.push(conv(n, { name, kind: 'pointwise', k: 1, groups: 1, ...common }));
        else if (op === 'avg_pool_3x3') out.push(conv(n, { name, kind: 'pool', pool: 'avg', k: 3, groups: ch, ...common }));
      });
    }
  }
  out.push({
    name: 'pool', kind: 'pool', pool: 'avg', n, c: ch, m: ch, h, w: h, p: 1, q: 1, r: h, s: h,
    stride: 1, groups: ch, padding: 0, bits: b,
  });
  out.push(conv(n, { name: 'fc', kind: 'fc', c: ch, m: cfg.numClasses, h: 1, k: 1, stride: 1, groups: 1, ...b }));
  return withOutputBits(out);
}
