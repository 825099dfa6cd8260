/**
 * Latency units: the pieces of a network a lookup table times separately (OFA, ProxylessNAS and FBNet
 * time one block at a time). Layers whose names share a prefix (`stage1.block0.expand`,
 * `stage1.block0.depthwise`, …) form one unit; a layer without a dotted prefix (`stem`, `head`,
 * `pool`, `fc`) is a unit of its own.
 *
 * A unit's key is built from shapes only — kind, kernel, stride, groups, channels and input size of
 * each layer — so the many archs that contain the same block share one LUT entry. Bit-widths are not
 * part of it: TF.js runs float kernels, quantization is simulated, so bits do not change latency here.
 */
import type { LayerSpec } from '../../core/types.ts';

export interface LatencyUnit {
  readonly key: string;
  readonly layers: readonly LayerSpec[];
  /** The unit adds its input to its output (LayerSpec.residualFrom). */
  readonly residual: boolean;
}

function unitName(layerName: string): string {
  const dot = layerName.lastIndexOf('.');
  return dot < 0 ? layerName : layerName.slice(0, dot);
}

function layerSignature(l: LayerSpec): string {
  const op = l.kind === 'pool' ? `${l.pool ?? 'avg'}pool` : l.kind;
  return `${op}${l.r}x${l.s}s${l.stride}g${l.groups}:${l.c}>${l.m}@${l.h}x${l.w}`;
}

/** The unit adds its input to its output: its last layer names its first as the residual source. */
export function hasResidual(layers: readonly LayerSpec[]): boolean {
  const first = layers[0];
  return layers.length > 1 && first !== undefined && layers[layers.length - 1]?.residualFrom === first.name;
}

export function unitKey(layers: readonly LayerSpec[]): string {
  return layers.map(layerSignature).join('|') + (hasResidual(layers) ? '|+res' : '');
}

/** Splits a chain of layers into units, in order. */
export function splitUnits(layers: readonly LayerSpec[]): LatencyUnit[] {
  const groups: LayerSpec[][] = [];
  let current = '';
  for (const l of layers) {
    const name = unitName(l.name);
    const isGroup = name !== l.name;
    if (isGroup && name === current && groups.length > 0) (groups[groups.length - 1] as LayerSpec[]).push(l);
    else groups.push([l]);
    current = isGroup ? name : '';
  }
  return groups.map((g) => ({ key: unitKey(g), layers: g, residual: hasResidual(g) }));
}
