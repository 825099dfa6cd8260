/** Builds LayerSpecs for the network spaces: same-padding convs and the output-bits pass. */
import type { LayerBits, LayerKind, LayerSpec } from '../core/types.ts';

/** Spatial output size of a convolution or pooling window with the given padding. */
export function convOut(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** Same padding as the cost models assume it: floor((k-1)/2) on each side. */
export function samePadding(kernel: number): number {
  return Math.floor((kernel - 1) / 2);
}

export interface ConvArgs {
  readonly name: string;
  readonly kind: LayerKind;
  readonly c: number;
  readonly m: number;
  readonly h: number;
  readonly k: number;
  readonly stride: number;
  readonly groups: number;
  readonly weights: number;
  readonly inputs: number;
  readonly pool?: 'avg' | 'max';
}

export type LayerDraft = Omit<LayerSpec, 'bits'> & { bits: Omit<LayerBits, 'outputs'> };

export function conv(n: number, a: ConvArgs): LayerDraft {
  const padding = samePadding(a.k);
  const p = convOut(a.h, a.k, a.stride, padding);
  return {
    name: a.name, kind: a.kind, n, c: a.c, m: a.m, h: a.h, w: a.h, p, q: p, r: a.k, s: a.k,
    stride: a.stride, groups: a.groups, padding, bits: { weights: a.weights, inputs: a.inputs },
    ...(a.pool ? { pool: a.pool } : {}),
  };
}

/** Output bits = input bits of the next layer (the network is a chain apart from residual adds). */
export function withOutputBits(drafts: readonly LayerDraft[]): LayerSpec[] {
  return drafts.map((d, i) => {
    const next = drafts[i + 1];
    return { ...d, bits: { ...d.bits, outputs: next ? next.bits.inputs : d.bits.inputs } };
  });
}
