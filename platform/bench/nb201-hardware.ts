/**
 * Accelerator presets as NAS-Bench-201 hardware costs (`nas bench nb201 --hw`, bench/nb201.ts):
 * each preset costs a cell on the NAS-Bench-201 macro skeleton through our accelerator model.
 */
import { ConfigError } from '../../core/errors.ts';
import { CostModel, presetNames } from '../../hardware/index.ts';
import { Nb201Space } from '../../search-space/nb201.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import type { Nb201Hardware } from './nb201-bench.ts';

/**
 * Each preset as a cost on the NAS-Bench-201 macro skeleton through our accelerator model (latency
 * in ms, energy in µJ; layers mapped once per preset and cached by the model).
 */
export function nb201PresetHardware(presets: readonly string[], model: CostModel = new CostModel()): Nb201Hardware[] {
  const known = presetNames();
  const space = new Nb201Space();
  return presets.map((name) => {
    if (!known.includes(name)) throw new ConfigError('--hw', name, `unknown preset; known: ${known.join(', ')}`);
    return {
      name,
      cost: (arch: Nb201Arch) => {
        const r = model.evaluate(space.layers(arch), name);
        return { latency: r.latencyMs, energy: r.energyPj / 1e6 };
      },
    };
  });
}
