/**
 * The counters as an Estimator over a network space: objective values in the units users read
 * (millions of MACs, thousands of parameters, KiB) with the per-layer breakdown attached.
 */
import type { Arch, Objective } from '../core/types.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import { countLayers, type CounterOptions } from './counters.ts';
import type { Estimate, Estimator } from './estimator.ts';

export const COUNTER_OBJECTIVES: readonly Objective[] = [
  { name: 'macs_m', unit: 'M MACs', direction: 'min' },
  { name: 'params_k', unit: 'k params', direction: 'min' },
  { name: 'model_kb', unit: 'KiB', direction: 'min' },
  { name: 'peak_act_kb', unit: 'KiB', direction: 'min' },
];

export function counterEstimator(space: NetworkSpace<Arch>, options: CounterOptions = {}): Estimator {
  return {
    name: 'counters',
    objectives: COUNTER_OBJECTIVES,
    async estimate(arch: Arch): Promise<Estimate> {
      const c = countLayers(space.layers(space.validate(arch)), options);
      return {
        values: {
          macs_m: c.macs / 1e6,
          params_k: c.params / 1e3,
          model_kb: c.modelBytes / 1024,
          peak_act_kb: c.peakActivationBytes / 1024,
        },
        perLayer: c.perLayer.map((l) => ({ ...l })),
        provenance: `counters (bias ${options.biasBits ?? 32} bit, BN ${options.bnFolded === false ? 'unfolded' : 'folded'})`,
      };
    },
  };
}
