/**
 * Latency tables and predictors between storage and the estimators: reads a table's rows for the
 * estimators (which never see a Storage), and stores the latency predictor a validation fits.
 * `nas lut`, `nas latency` and the benchmarks call these.
 */
import type { Arch } from '../core/types.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import type { Storage } from '../storage/storage.ts';
import { measureLatencyFidelity, type LatencyReport, type LatencyValidateOptions } from '../estimators/lut/latency-validate.ts';
import type { LatencyModel } from '../estimators/lut/latency-predictor.ts';
import { latencyTable, missingTable, type LatencyTable } from '../estimators/lut/lut-estimator.ts';
import { storedProvenance, type LatencyProvenance } from '../estimators/lut/provenance.ts';

type LutReader = Pick<Storage, 'listLutEntries'>;

export async function loadLatencyTable(storage: LutReader, provenance: LatencyProvenance): Promise<LatencyTable> {
  return latencyTable(provenance, await storage.listLutEntries(storedProvenance(provenance)));
}

/**
 * The table for `provenance`, which must have entries: when only another clock's table exists for
 * the same backend, CPU and batch, the error names both clocks instead of "not found".
 */
export async function requireLatencyTable(storage: LutReader, provenance: LatencyProvenance, where: string): Promise<LatencyTable> {
  const table = await loadLatencyTable(storage, provenance);
  if (table.entries.size > 0) return table;
  const { tfjsVersion, cpuModel, threads, batchSize } = provenance;
  return missingTable(provenance, await storage.listLutEntries({ tfjsVersion, cpuModel, threads, batchSize }), where);
}

/** The fidelity report of measureLatencyFidelity, its fitted predictor stored (`predictorId`). */
export async function validateLatency(
  storage: Pick<Storage, 'savePredictor'>, space: NetworkSpace<Arch>, table: LatencyTable, options: LatencyValidateOptions = {},
): Promise<LatencyReport & { model: LatencyModel; predictorId: number }> {
  const { record, ...report } = await measureLatencyFidelity(space, table, options);
  const rec = await storage.savePredictor(record);
  return { ...report, predictorId: rec.id };
}
