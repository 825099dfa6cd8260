/**
 * Accelerator cost of a (network, accelerator) pair through the hardware model's public API:
 * latency, energy, energy-delay product and area, with the per-layer breakdown and mapping summary
 * the UI and export bundles show. The CostModel caches mapped layers by (layer key, hw key), and this
 * estimator is usually wrapped in `cachedEstimator` keyed by (arch key, hw key) as well.
 */
import type { Arch, HwConfig, Objective } from '../core/types.ts';
import { ConfigError } from '../core/errors.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import type { ArchSpec, CostModel } from '../hardware/index.ts';
import type { Estimate, Estimator } from './estimator.ts';

export const ACCELERATOR_OBJECTIVES: readonly Objective[] = [
  { name: 'hw_latency_ms', unit: 'ms', direction: 'min' },
  { name: 'energy_uj', unit: 'µJ', direction: 'min' },
  { name: 'edp_uj_ms', unit: 'µJ·ms', direction: 'min' },
  { name: 'area_mm2', unit: 'mm²', direction: 'min' },
];

/** Turns the candidate's hardware config into an accelerator spec (or a preset name). */
export type HwResolver = (hw: HwConfig | null) => ArchSpec | string;

export function acceleratorEstimator(space: NetworkSpace<Arch>, model: CostModel, resolve: HwResolver, batch = 1): Estimator {
  return {
    name: 'accelerator',
    objectives: ACCELERATOR_OBJECTIVES,
    async estimate(arch: Arch, hw: HwConfig | null = null): Promise<Estimate> {
      const spec = resolve(hw);
      if (spec === undefined || spec === null) throw new ConfigError('hw', JSON.stringify(hw), 'no accelerator given and no default');
      const r = model.evaluate(space.layers(space.validate(arch), { batch }), spec);
      const energyUj = r.energyPj / 1e6;
      return {
        values: { hw_latency_ms: r.latencyMs, energy_uj: energyUj, edp_uj_ms: energyUj * r.latencyMs, area_mm2: r.areaMm2 },
        perLayer: r.perLayer.map((l) => ({
          name: l.name, macs: l.macs, cycles: l.cycles, latencyMs: l.latencyMs, energyPj: l.energyPj, utilization: l.utilization, mapping: l.mappingText,
        })),
        provenance: `hardware:${typeof spec === 'string' ? spec : spec.name}:${model.objective}-mapped`,
      };
    },
  };
}
