/**
 * Every distinct latency unit of a network space, so `nas lut build` measures the whole space once.
 *
 * mbconv: a unit's shape depends on the input resolution, the widths of its own and the previous
 * stage, and its kernel and expand ratio — not on depth (block b > 0 repeats the shape of a
 * same-width block) nor on bits. Archs with every stage at full depth, one kernel/expand for all
 * blocks and every combination of stage widths therefore contain every unit; their union is exact.
 * Other spaces fall back to `enumerate()` when they can list themselves.
 */
import type { Arch } from '../../core/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import { splitUnits, type LatencyUnit } from './units.ts';

function* product(lists: readonly (readonly number[])[]): Generator<number[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  const [head, ...rest] = lists as [readonly number[], ...(readonly number[])[]];
  for (const v of head) for (const tail of product(rest)) yield [v, ...tail];
}

function mbconvCoverage(space: MbconvSpace): MbconvArch[] {
  const c = space.config;
  const stages = c.stages.length;
  const archs: MbconvArch[] = [];
  for (const resolution of c.resolutions)
    for (const kernel of c.kernels)
      for (const expand of c.expands)
        for (const widths of product(Array.from({ length: stages }, () => c.widths))) {
          const block = { kernel, expand, wbits: c.weightBits[0] as number, abits: c.activationBits[0] as number };
          archs.push({
            resolution,
            stages: widths.map((width) => ({ depth: c.maxDepth, width, blocks: Array.from({ length: c.maxDepth }, () => block) })),
          });
        }
  return archs;
}

/** Distinct units (first occurrence order) of every arch of `space` at batch size `batch`. */
export function spaceUnits(space: NetworkSpace<Arch>, batch: number): LatencyUnit[] {
  let archs: Iterable<Arch>;
  if (space instanceof MbconvSpace) archs = mbconvCoverage(space);
  else if (space.enumerate) archs = space.enumerate();
  else throw new ConfigError('space', space.name, 'cannot list the latency units of this space');
  const units = new Map<string, LatencyUnit>();
  for (const arch of archs) {
    for (const u of splitUnits(space.layers(arch, { batch }))) if (!units.has(u.key)) units.set(u.key, u);
  }
  return [...units.values()];
}
