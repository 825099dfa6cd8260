/**
 * The Eyeriss chip on AlexNet CONV1–5 (Chen et al., "Eyeriss: an energy-efficient reconfigurable
 * accelerator for deep convolutional neural networks", JSSC 52(1), 2017, Table V): batch 4, 16-b
 * fixed point, 200 MHz, the real two-group CONV2/4/5. Published per layer: processing latency (DRAM
 * traffic overlapped), DRAM traffic (run-length coded feature maps), active PEs, and the share of
 * zeros in each layer's input activations, which gives the densities the workload carries. An
 * output's density is taken as the next layer's input density (pooling in between only lowers the
 * zero share, so this errs towards more traffic); CONV5's output uses its own input's.
 *
 * Provenance of the zero shares: Table V is an image in every copy we could read; its latency,
 * DRAM and active-PE columns are confirmed by independent transcriptions (e.g. the nn_dataflow
 * reproduction of JSSC Table V), the zero shares by the paper's text only ("almost 40 % of ifmap
 * values of CONV2 are zeros on average, and it goes up to around 75 % at CONV5", §IV-B), which
 * 38.7 % and 77.6 % fit; CONV3/CONV4 (72.5 %, 79.3 %) could not be checked digit by digit.
 */
import type { LayerSpec } from '../../core/types.ts';

export interface ChipLayer {
  readonly layer: LayerSpec;
  /** Published processing latency, ms. */
  readonly latencyMs: number;
  /** Published DRAM traffic, MB (10⁶ bytes). */
  readonly dramMB: number;
  /** Published active PEs of the 168 (the chip's PE-set mapping; CONV2 averages its 14 + 13 wide segments). */
  readonly activePes: number;
}

/** Share of zeros in the ifmaps of CONV1–5 (JSSC 2017 AlexNet table), %. */
export const EYERISS_ALEXNET_ZEROS_PCT = [0.01, 38.7, 72.5, 79.3, 77.6] as const;

/** Goals (issue 20): every layer within ±20 % of the chip's latency and ±30 % of its DRAM traffic. */
export const EYERISS_TOLERANCE = { latency: 0.2, dram: 0.3 } as const;

const BATCH = 4;

function conv(name: string, c: number, m: number, h: number, r: number, stride: number, pad: number, groups: number, i: number): LayerSpec {
  const p = Math.floor((h + 2 * pad - r) / stride) + 1;
  const density = (k: number): number => 1 - (EYERISS_ALEXNET_ZEROS_PCT[Math.min(k, 4)] as number) / 100;
  return {
    name, kind: 'conv', n: BATCH, c, m, h, w: h, p, q: p, r, s: r, stride, groups, padding: pad,
    bits: { weights: 16, inputs: 16, outputs: 16 }, density: { inputs: density(i), outputs: density(i + 1 > 4 ? 4 : i + 1) },
  };
}

export const EYERISS_ALEXNET: readonly ChipLayer[] = [
  { layer: conv('CONV1', 3, 96, 227, 11, 4, 0, 1, 0), latencyMs: 16.5, dramMB: 5.0, activePes: 154 },
  { layer: conv('CONV2', 96, 256, 27, 5, 1, 2, 2, 1), latencyMs: 39.2, dramMB: 4.0, activePes: 135 },
  { layer: conv('CONV3', 256, 384, 13, 3, 1, 1, 1, 2), latencyMs: 21.8, dramMB: 3.0, activePes: 156 },
  { layer: conv('CONV4', 384, 384, 13, 3, 1, 1, 2, 3), latencyMs: 16.0, dramMB: 2.1, activePes: 156 },
  { layer: conv('CONV5', 384, 256, 13, 3, 1, 1, 2, 4), latencyMs: 10.0, dramMB: 1.3, activePes: 156 },
];
