/**
 * End-to-end latency of a whole subnet on the active backend: the ground truth the LUT sum and the
 * predictor are validated against. Same executor and timing rules as the LUT entries, so the only
 * difference between the two is what the LUT cannot see (running units back to back).
 */
import type { Rng } from '../../core/rng.ts';
import type { Arch } from '../../core/types.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import { compileUnits } from './executor.ts';
import { timeChain, type ChainTiming, type TimingOptions } from './timing.ts';
import { splitUnits } from './units.ts';

export function measureArch(space: NetworkSpace<Arch>, arch: Arch, batch: number, rng: Rng, timing: TimingOptions = {}): ChainTiming {
  const chain = compileUnits(splitUnits(space.layers(space.validate(arch), { batch })), rng.fork('weights'));
  try {
    return timeChain(chain, rng.fork('input'), timing);
  } finally {
    chain.dispose();
  }
}
