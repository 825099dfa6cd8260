/**
 * Shared vocabulary between search spaces, estimators, the hardware model, strategies and storage.
 * Architectures and accelerator configs are plain readonly JSON so they can be hashed, stored and
 * sent over HTTP without conversion.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** A network architecture as its search space defines it (e.g. the mbconv space's arch object). */
export type Arch = JsonObject;

/** An accelerator configuration as the hardware search space defines it. */
export type HwConfig = JsonObject;

export type LayerKind = 'conv' | 'depthwise' | 'pointwise' | 'fc' | 'pool';

export interface LayerBits {
  readonly weights: number;
  readonly inputs: number;
  readonly outputs: number;
}

/**
 * One layer of a network as the cost models see it: the 7-D loop nest N·M·C·P·Q·R·S plus stride,
 * groups and per-tensor bit-widths (HARDWARE.md "Workload IR"). For depthwise layers groups = c = m.
 */
export interface LayerSpec {
  readonly name: string;
  readonly kind: LayerKind;
  /** Batch size. */
  readonly n: number;
  /** Input channels. */
  readonly c: number;
  /** Output channels. */
  readonly m: number;
  /** Input height and width (before padding). */
  readonly h: number;
  readonly w: number;
  /** Output height and width. */
  readonly p: number;
  readonly q: number;
  /** Kernel height and width. */
  readonly r: number;
  readonly s: number;
  readonly stride: number;
  readonly groups: number;
  /** Zero padding on each side (same padding: floor((r-1)/2)). */
  readonly padding: number;
  readonly bits: LayerBits;
  /** 'avg' | 'max' for pooling layers. */
  readonly pool?: 'avg' | 'max';
  /**
   * Residual add: the name of the layer whose *input* is added to this layer's output. The skip
   * tensor stays live from that layer to this one, which peak-memory counters must include.
   */
  readonly residualFrom?: string;
  /**
   * Fraction of nonzero values in the layer's input and output activations (default 1, dense):
   * what a design that run-length codes feature maps (Eyeriss) saves on off-chip traffic.
   */
  readonly density?: { readonly inputs?: number; readonly outputs?: number };
  /**
   * Element-wise work on the layer's outputs after its MACs (absent: none). A design with a fused
   * epilogue applies it on write-back for free; otherwise each costs a pass over the outputs.
   */
  readonly post?: readonly ('batchnorm' | 'activation')[];
}

export type Direction = 'min' | 'max';

export interface Objective {
  /** Canonical name, e.g. 'accuracy', 'latency_ms', 'energy_mj', 'area_mm2', 'model_kb'. */
  readonly name: string;
  readonly unit: string;
  readonly direction: Direction;
}

/** Objective values of one evaluated candidate, keyed by objective name. */
export type Metrics = Readonly<Record<string, number>>;

/** MACs of a layer, counting grouped convolutions once per group member. */
export function layerMacs(l: LayerSpec): number {
  if (l.kind === 'pool') return 0;
  return (l.n * l.m * (l.c / l.groups) * l.p * l.q * l.r * l.s);
}
