/**
 * Vocabulary of the systolic (SCALE-Sim v2) mode: the array configuration a SCALE-Sim `.cfg`
 * describes, plus the two fields SCALE-Sim does not have (clock, word width) that latency and
 * energy need.
 */

export type Dataflow = 'os' | 'ws' | 'is';

export const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];

export interface SystolicConfig {
  readonly name: string;
  /** PE rows (SCALE-Sim ArrayHeight) and columns (ArrayWidth). */
  readonly rows: number;
  readonly cols: number;
  /** SRAM sizes in kB as SCALE-Sim counts them (IfmapSramSzkB, ...). */
  readonly ifmapSramKb: number;
  readonly filterSramKb: number;
  readonly ofmapSramKb: number;
  /** Address offsets of the three operands; SCALE-Sim uses them only to tag traces. */
  readonly ifmapOffset: number;
  readonly filterOffset: number;
  readonly ofmapOffset: number;
  readonly dataflow: Dataflow;
  /** DRAM interface bandwidth in words per cycle (SCALE-Sim `Bandwidth`). */
  readonly bandwidth: number;
  readonly memoryBanks: number;
  /** CALC: SCALE-Sim sizes the DRAM interface so that no stalls occur; USER: uses `bandwidth`. */
  readonly interfaceBandwidth: 'CALC' | 'USER';
  /** Clock in Hz (not in SCALE-Sim files; 1 GHz unless given). */
  readonly clockHz: number;
  /** Word width in bits of every operand (SCALE-Sim v2 counts one-byte words). */
  readonly wordBits: number;
}

export const DEFAULT_CLOCK_HZ = 1e9;
export const DEFAULT_WORD_BITS = 8;

/** SRAM reads/writes (words) of one layer, as SCALE-Sim's compute unit counts them. */
export interface SramCounts {
  readonly ifmapReads: number;
  readonly filterReads: number;
  readonly ofmapWrites: number;
}

/** Compulsory DRAM traffic in words: every operand crosses the interface once. */
export interface DramCounts {
  readonly ifmapReads: number;
  readonly filterReads: number;
  readonly ofmapWrites: number;
}

export interface SystolicEnergy {
  readonly macPj: number;
  readonly sramPj: number;
  readonly dramPj: number;
  readonly totalPj: number;
}

export interface SystolicLayerResult {
  readonly name: string;
  readonly dataflow: Dataflow;
  /** im2col GEMM operand shape of one group: Sr × Sc spatial, T temporal. */
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  readonly groups: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly macs: number;
  /** Compute cycles with no stalls (SCALE-Sim "Total Cycles" under InterfaceBandwidth CALC). */
  readonly cycles: number;
  readonly stallCycles: number;
  /** SCALE-Sim COMPUTE_REPORT columns, in percent. */
  readonly overallUtilPct: number;
  readonly mappingEfficiencyPct: number;
  readonly computeUtilPct: number;
  readonly sram: SramCounts;
  /** SCALE-Sim BANDWIDTH_REPORT SRAM columns: words per cycle. */
  readonly sramBandwidth: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly dram: DramCounts;
  readonly latencyMs: number;
  readonly energy: SystolicEnergy;
}

export interface SystolicNetworkResult {
  readonly config: SystolicConfig;
  readonly layers: readonly SystolicLayerResult[];
  readonly cycles: number;
  readonly macs: number;
  readonly overallUtilPct: number;
  readonly sram: SramCounts;
  readonly dram: DramCounts;
  readonly latencyMs: number;
  readonly energy: SystolicEnergy;
}
