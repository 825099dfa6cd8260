/**
 * A latency table with one entry per unit of a space, for throughput benches: the timed values
 * are irrelevant to how fast the table is read, so no database or measurement is needed. Entries
 * grow with the unit's MACs so searches over it still see a meaningful latency landscape.
 */
import type { Arch } from '../core/types.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import { spaceUnits } from '../estimators/lut/coverage.ts';
import type { LatencyTable } from '../estimators/lut/lut-estimator.ts';
import { countLayers } from '../estimators/counters.ts';
import type { LutEntryRecord } from '../storage/types.ts';

export function syntheticLatencyTable(space: NetworkSpace<Arch>, backend: string, tfjsVersion: string): LatencyTable {
  const provenance = { backend, tfjsVersion, cpuModel: 'bench', threads: 1, batchSize: 1 };
  return {
    provenance,
    entries: new Map(spaceUnits(space, 1).map((u): [string, LutEntryRecord] => {
      const ms = 0.02 + countLayers(u.layers).macs * 5e-8;
      return [u.key, { ...provenance, key: u.key, medianMs: ms, meanMs: ms, stdMs: 0, spreadMs: 0, count: 1, measuredAt: '' }];
    })),
  };
}
