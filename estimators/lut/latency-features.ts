/**
 * Features of an arch for the learned latency predictor. The LUT sum carries most of the signal;
 * the others describe what the sum misses when units run back to back: how many units (dispatch and
 * allocation overhead per op), how much activation data moves between them (cache misses at unit
 * boundaries) and how much work there is (MACs). Everything is on a log scale because latency
 * errors are multiplicative.
 */
import type { Arch } from '../../core/types.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import { countLayers } from '../counters.ts';
import { lutBreakdown, type LatencyTable } from './lut-estimator.ts';

export const LATENCY_FEATURES = ['1', 'log_lut_ms', 'log_macs', 'log_act_bytes', 'units', 'layers', 'residuals'] as const;

export interface LatencyFeatures {
  readonly lutMs: number;
  readonly vector: readonly number[];
}

export function latencyFeatures(space: NetworkSpace<Arch>, table: LatencyTable, arch: Arch): LatencyFeatures {
  const parts = lutBreakdown(space, table, arch);
  const layers = space.layers(space.validate(arch), { batch: table.provenance.batchSize });
  const counts = countLayers(layers);
  const lutMs = parts.reduce((s, p) => s + p.ms, 0);
  const actBytes = counts.perLayer.reduce((s, l) => s + l.outputBytes, 0);
  const residuals = layers.filter((l) => l.residualFrom !== undefined).length;
  return {
    lutMs,
    vector: [1, Math.log(lutMs), Math.log(Math.max(1, counts.macs)), Math.log(Math.max(1, actBytes)), parts.length, layers.length, residuals],
  };
}
