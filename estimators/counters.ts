/**
 * Analytic counters over a network's layer list (the `layers(arch)` lowering): MACs, parameters,
 * model bytes at the arch's bit-widths and peak activation memory — per layer and in total.
 *
 * Conventions (what a deployed integer model holds, as in TFLite-style integer inference):
 * - every conv/FC layer has one bias per output channel: batch norm is folded into the preceding
 *   convolution at export, so its scale disappears into the weights and its shift becomes the bias
 *   (`bnFolded: false` counts the 4 BN vectors γ, β, μ, σ² instead, as an unfolded tfjs model does);
 * - weights are stored at the layer's weight bits, biases at `biasBits` (32: int32 accumulators);
 * - activation tensors are stored at the bits of the layer that writes them;
 * - layers run one after another; at each layer its input and output are live, plus every residual
 *   source tensor that is still waiting for its add (LayerSpec.residualFrom).
 */
import type { LayerSpec } from '../core/types.ts';
import { layerMacs } from '../core/types.ts';
import { ConfigError } from '../core/errors.ts';

export interface CounterOptions {
  /** Bits per stored bias value (default 32). */
  readonly biasBits?: number;
  /** Whether batch norm is folded into conv biases (default true). */
  readonly bnFolded?: boolean;
}

export interface LayerCounts {
  readonly name: string;
  readonly kind: LayerSpec['kind'];
  readonly macs: number;
  readonly params: number;
  /** Weight and bias storage in bytes. */
  readonly modelBytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Activation bytes live while this layer runs (input + output + pending residual sources). */
  readonly liveBytes: number;
}

export interface NetworkCounts {
  readonly macs: number;
  readonly params: number;
  readonly modelBytes: number;
  readonly peakActivationBytes: number;
  /** Layer at which the activation peak occurs. */
  readonly peakLayer: string;
  readonly perLayer: readonly LayerCounts[];
}

const bytes = (elements: number, bits: number): number => (elements * bits) / 8;

function layerParams(l: LayerSpec, bnFolded: boolean): { weights: number; perChannel: number } {
  if (l.kind === 'pool') return { weights: 0, perChannel: 0 };
  const weights = l.r * l.s * (l.c / l.groups) * l.m;
  // FC layers carry a true bias; conv layers carry BN, folded (1 vector) or not (γ, β, μ, σ²).
  const perChannel = l.kind === 'fc' || bnFolded ? l.m : 4 * l.m;
  return { weights, perChannel };
}

export function countLayers(layers: readonly LayerSpec[], options: CounterOptions = {}): NetworkCounts {
  const biasBits = options.biasBits ?? 32;
  if (!Number.isInteger(biasBits) || biasBits < 1 || biasBits > 64) throw new ConfigError('biasBits', biasBits, 'must be an integer in 1..64');
  const bnFolded = options.bnFolded ?? true;
  if (layers.length === 0) throw new ConfigError('layers', '[]', 'a network needs at least one layer');

  const index = new Map(layers.map((l, i) => [l.name, i]));
  // Residual sources: the input of layer `from` stays live until the layer that adds it.
  const spans = layers.flatMap((l, end) => {
    if (l.residualFrom === undefined) return [];
    const start = index.get(l.residualFrom);
    if (start === undefined || start > end) {
      throw new ConfigError(`layers[${end}].residualFrom`, l.residualFrom, 'must name an earlier layer of the same network');
    }
    const src = layers[start] as LayerSpec;
    return [{ start, end, bytes: bytes(src.n * src.c * src.h * src.w, src.bits.inputs) }];
  });

  let peak = -1;
  let peakLayer = '';
  const perLayer = layers.map((l, i): LayerCounts => {
    const { weights, perChannel } = layerParams(l, bnFolded);
    const inputBytes = bytes(l.n * l.c * l.h * l.w, l.bits.inputs);
    const outputBytes = bytes(l.n * l.m * l.p * l.q, l.bits.outputs);
    // A source is counted separately only after its own layer (where it is that layer's input).
    const pending = spans.reduce((sum, s) => (s.start < i && i <= s.end ? sum + s.bytes : sum), 0);
    const liveBytes = inputBytes + outputBytes + pending;
    if (liveBytes > peak) {
      peak = liveBytes;
      peakLayer = l.name;
    }
    return {
      name: l.name,
      kind: l.kind,
      macs: layerMacs(l),
      params: weights + perChannel,
      modelBytes: bytes(weights, l.bits.weights) + bytes(perChannel, biasBits),
      inputBytes,
      outputBytes,
      liveBytes,
    };
  });
  const sum = (f: (c: LayerCounts) => number) => perLayer.reduce((a, c) => a + f(c), 0);
  return {
    macs: sum((c) => c.macs),
    params: sum((c) => c.params),
    modelBytes: sum((c) => c.modelBytes),
    peakActivationBytes: peak,
    peakLayer,
    perLayer,
  };
}
