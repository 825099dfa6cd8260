/**
 * The per-layer accelerator breakdown of a (network, accelerator) pair: cycles at the accelerator's
 * clock, energy split by storage level (MAC datapath, then each level of the hierarchy, leakage
 * included), utilisation and the chosen mapping as a loop nest. The export bundle's
 * accelerator.json and the UI's trial page both show exactly this (one computation, two readers).
 * The mapper is deterministic, so this re-derives the costs the search stored for the trial.
 */
import type { LayerSpec } from '../core/types.ts';
import { CostModel, preset, type ArchSpec } from '../hardware/index.ts';

export interface LayerBreakdown {
  readonly layer: string;
  readonly macs: number;
  readonly cycles: number;
  readonly latencyMs: number;
  readonly energyPj: number;
  /** Energy per storage level in pJ, keyed as in AcceleratorBreakdown.levels; sums to energyPj. */
  readonly energyByLevelPj: Readonly<Record<string, number>>;
  /**
   * Useful MACs per PE per cycle: 1 = every PE busy at full precision. Bit Fusion PEs multiply
   * several low-bit products per cycle, so theirs can exceed 1.
   */
  readonly utilization: number;
  /** Timeloop-style loop nest of the chosen mapping. */
  readonly mapping: string;
}

export interface AcceleratorBreakdown {
  readonly accelerator: string;
  /** Clock the cycle counts are converted at (latency = cycles / clock). */
  readonly clockGHz: number;
  /** PE rows × columns. */
  readonly peArray: string;
  /** Energy components, datapath first, then storage levels from innermost to DRAM. */
  readonly levels: readonly string[];
  readonly layers: readonly LayerBreakdown[];
  readonly totals: { readonly cycles: number; readonly latencyMs: number; readonly energyPj: number; readonly areaMm2: number };
  readonly units: Readonly<Record<string, string>>;
  readonly provenance: string;
}

export const MAC_LEVEL = 'MAC';

export function acceleratorBreakdown(layers: readonly LayerSpec[], hw: ArchSpec | string, model = new CostModel()): AcceleratorBreakdown {
  const spec = typeof hw === 'string' ? preset(hw) : hw;
  const r = model.evaluate(layers, spec);
  const levelNames = spec.levels.map((l) => l.name);
  const rows = r.perLayer.map((l): LayerBreakdown => {
    const byLevel: Record<string, number> = {};
    let storage = 0;
    l.evaluation.levels.forEach((lv, k) => {
      const e = lv.energyPj + lv.leakPj;
      byLevel[levelNames[k] ?? lv.name] = e;
      storage += e;
    });
    // The datapath's share: MAC dynamic energy and MAC leakage (what is left of the layer's total).
    return {
      layer: l.name, macs: l.macs, cycles: l.cycles, latencyMs: l.latencyMs, energyPj: l.energyPj,
      energyByLevelPj: { [MAC_LEVEL]: l.energyPj - storage, ...byLevel }, utilization: l.utilization, mapping: l.mappingText,
    };
  });
  return {
    accelerator: spec.name,
    clockGHz: spec.clockGHz,
    peArray: `${spec.mac.meshY}×${spec.mac.meshX}`,
    levels: [MAC_LEVEL, ...levelNames],
    layers: rows,
    totals: { cycles: r.latencyCycles, latencyMs: r.latencyMs, energyPj: r.energyPj, areaMm2: r.areaMm2 },
    units: { cycles: `cycles at ${spec.clockGHz} GHz`, latencyMs: 'ms', energyPj: 'pJ', energyByLevelPj: 'pJ', utilization: 'useful MACs per PE per cycle (1 = all PEs busy at full precision; Bit Fusion can exceed 1 at low bit-widths)', areaMm2: 'mm²' },
    provenance: `hardware cost model (Timeloop-style access counts), ${model.objective.toUpperCase()}-mapped, batch 1`,
  };
}
