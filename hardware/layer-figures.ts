/**
 * The per-layer figures every hardware report shows: the mapped loop nest's evaluation plus the
 * layer's non-MAC passes (residual add, unfused batch-norm / activation), off-chip traffic as moved
 * and uncoded, and what bounds the layer (compute or a level's bandwidth).
 */
import type { LayerSpec } from '../core/types.ts';
import type { Evaluation } from './model/analysis.ts';
import { nonMacWork, type NonMacWork } from './model/non-mac.ts';
import type { ArchSpec } from './spec.ts';

export interface LayerFigures {
  readonly name: string;
  readonly macs: number;
  readonly cycles: number;
  readonly latencyMs: number;
  readonly energyPj: number;
  readonly utilization: number;
  /** Bytes to and from the backing store, as moved (run-length coded where the design codes). */
  readonly offChipBytes: number;
  /** The same traffic uncoded. */
  readonly offChipDenseBytes: number;
  /** 'compute', or the level whose bandwidth sets the loop nest's cycles. */
  readonly boundBy: string;
  /** Work outside the MAC loop nest, included in cycles and energy. */
  readonly nonMac: readonly NonMacWork[];
}

export function layerFigures(name: string, layer: LayerSpec | null, e: Evaluation, a: ArchSpec): LayerFigures {
  const nonMac = layer ? nonMacWork(layer, a) : [];
  let cycles = e.cycles;
  let energyPj = e.energyPj;
  let extraBytes = 0;
  for (const w of nonMac) {
    cycles += w.cycles;
    energyPj += w.energyPj;
    extraBytes += w.offChipBytes;
  }
  return {
    name, macs: e.usefulOps, cycles, latencyMs: cycles / (a.clockGHz * 1e6), energyPj,
    utilization: e.usefulOps / (cycles * a.mac.instances),
    offChipBytes: e.offChip.readBytes + e.offChip.writeBytes + extraBytes,
    offChipDenseBytes: e.offChip.denseReadBytes + e.offChip.denseWriteBytes + extraBytes,
    boundBy: e.boundBy, nonMac,
  };
}
