/**
 * Latency from the lookup table: the sum of the stored medians of an arch's units, as OFA and
 * ProxylessNAS estimate on-device latency. Inter-unit effects (cache state, allocator, dispatch)
 * are not in the sum; the learned predictor corrects for them. The table's rows are passed in
 * (platform/latency-tables.ts reads them from storage); nothing here reads or writes storage.
 */
import type { Arch, Objective } from '../../core/types.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import type { LutEntryRecord, LutProvenance } from '../../core/lut.ts';
import type { Estimate, Estimator } from '../estimator.ts';
import { assertSameClock, clockOf, parseStoredProvenance, type LatencyProvenance } from './provenance.ts';
import { splitUnits } from './units.ts';

export const LATENCY_OBJECTIVE: Objective = { name: 'latency_ms', unit: 'ms', direction: 'min' };

export interface LatencyTable {
  readonly provenance: LatencyProvenance;
  /** Each entry's `medianMs` is the clock's figure (timing.ts clockFigure). */
  readonly entries: ReadonlyMap<string, LutEntryRecord>;
}

/** The table of `provenance` from its stored rows (those matching `storedProvenance(provenance)`). */
export function latencyTable(provenance: LatencyProvenance, rows: readonly LutEntryRecord[]): LatencyTable {
  return { provenance, entries: new Map(rows.map((r) => [r.key, r])) };
}

/**
 * Throws why there is no table for `provenance`, given the stored provenances of the same tfjs
 * version, CPU, threads and batch (`storedNeighbours`): when only another clock's table exists for
 * the same backend, the error names both clocks; otherwise it is a NotFoundError.
 */
export function missingTable(provenance: LatencyProvenance, storedNeighbours: readonly LutProvenance[], where: string): never {
  const others = storedNeighbours.map(parseStoredProvenance).filter((p) => p.backend === provenance.backend && p.clock !== clockOf(provenance));
  if (others[0]) assertSameClock(`the latency LUT in ${where} (${provenanceLabel(others[0])})`, others[0].clock, clockOf(provenance));
  throw new NotFoundError(`latency LUT for ${provenanceLabel(provenance)} (run \`nas lut build\` first)`, where);
}

export function provenanceLabel(p: LatencyProvenance): string {
  return `${p.backend}/tfjs-${p.tfjsVersion}/${p.threads}t/b${p.batchSize}/${clockOf(p)}-clock/${p.cpuModel}`;
}

/** Per-unit medians of an arch; throws NotFoundError naming the first unit not in the table. */
export function lutBreakdown(space: NetworkSpace<Arch>, table: LatencyTable, arch: Arch): { unit: string; ms: number }[] {
  return splitUnits(space.layers(space.validate(arch), { batch: table.provenance.batchSize })).map((u) => {
    const e = table.entries.get(u.key);
    if (!e) throw new NotFoundError(`latency LUT entry (${provenanceLabel(table.provenance)}; run \`nas lut build\`)`, u.key);
    return { unit: u.layers.map((l) => l.name).join('+'), ms: e.medianMs };
  });
}

export function lutEstimator(space: NetworkSpace<Arch>, table: LatencyTable): Estimator {
  return {
    name: 'lut',
    objectives: [LATENCY_OBJECTIVE],
    async estimate(arch: Arch): Promise<Estimate> {
      const parts = lutBreakdown(space, table, arch);
      return {
        values: { latency_ms: parts.reduce((s, p) => s + p.ms, 0) },
        perLayer: parts,
        provenance: `lut:${provenanceLabel(table.provenance)}`,
      };
    },
  };
}
