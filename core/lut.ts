/**
 * A latency lookup-table row: where a figure was measured (provenance) and what was measured for
 * one unit key. Vocabulary shared by the estimators that build and read latency tables and the
 * storage that keeps them (storage/types.ts re-exports these), so neither imports the other.
 */

/** Where a latency figure was measured: entries are unique per provenance + key. */
export interface LutProvenance {
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly cpuModel: string;
  readonly threads: number;
  readonly batchSize: number;
}

export interface LutEntryInput extends LutProvenance {
  readonly key: string;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly stdMs: number;
  /** Spread as the measurer defines it (e.g. interquartile range), in ms. */
  readonly spreadMs: number;
  /** Number of timed repeats. */
  readonly count: number;
  /** Defaults to now. */
  readonly measuredAt?: string;
}

export interface LutEntryRecord extends LutEntryInput {
  readonly measuredAt: string;
}
