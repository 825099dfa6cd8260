/**
 * Systolic mode: SCALE-Sim v2 compute cycles, utilization and SRAM access counts in closed form
 * (HARDWARE.md "Systolic arrays"). A layer becomes an im2col GEMM: px = N·P·Q output pixels,
 * window = R·S·C/G, M/G filters, run once per group G.
 *
 *   OS: Sr = px,     Sc = M/G, T = window   cycles/fold = T + rows + cols − 2
 *   WS: Sr = window, Sc = M/G, T = px       cycles/fold = 2·rows + cols + T − 2
 *   IS: Sr = window, Sc = px,  T = M/G      cycles/fold = 2·rows + cols + T − 2
 *   folds = ceil(Sr/rows)·ceil(Sc/cols) (partial folds count as full), cycles = folds·(…) − 1.
 *
 * Reproduced SCALE-Sim v2 (@22f88b1) details, checked against its reports:
 * - mapping efficiency and compute utilization are per-fold averages summed fold by fold in
 *   SCALE-Sim's order (columns outer, rows inner), so the percentages match to the last bit;
 *   compute utilization divides by T + rows + cols − 2 (OS) or 2·rows + 2·cols + T − 3 (WS, IS)
 *   cycles per fold, the demand-matrix length SCALE-Sim uses there;
 * - OS ofmap writes include (rows + cols) per fold on top of Sr·Sc: SCALE-Sim adds the padded
 *   fold's height + width to its write counter.
 * Not modelled: SCALE-Sim's memory system (double-buffered SRAMs, prefetch, DRAM request timing),
 * hence no stall cycles (exact for InterfaceBandwidth CALC, where SCALE-Sim reports none) and
 * DRAM counts are the compulsory traffic (each operand once), a lower bound of SCALE-Sim's.
 * Pooling layers do no MACs and are not run on the array (zero cycles).
 */
import { HardwareError } from '../../core/errors.ts';
import { layerMacs } from '../../core/types.ts';
import type { LayerSpec } from '../../core/types.ts';
import { HOROWITZ_45NM, systolicEnergy } from './energy.ts';
import type { EnergyTable } from './energy.ts';
import type { Dataflow, DramCounts, SramCounts, SystolicConfig, SystolicLayerResult, SystolicNetworkResult } from './types.ts';

export interface GemmShape {
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  readonly groups: number;
}

function checkLayer(l: LayerSpec): void {
  for (const key of ['n', 'c', 'm', 'h', 'w', 'p', 'q', 'r', 's', 'stride', 'groups'] as const) {
    const v = l[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new HardwareError(`layer ${l.name}: ${key} must be a positive integer (got ${String(v)})`, { layer: l.name, field: key, value: v });
    }
  }
  if (l.c % l.groups !== 0 || l.m % l.groups !== 0) {
    throw new HardwareError(`layer ${l.name}: groups ${l.groups} must divide c=${l.c} and m=${l.m}`, { layer: l.name, field: 'groups', value: l.groups });
  }
}

/** im2col operand shape of one group of a layer under a dataflow. */
export function gemmShape(l: LayerSpec, dataflow: Dataflow): GemmShape {
  const px = l.n * l.p * l.q;
  const window = l.r * l.s * (l.c / l.groups);
  const filters = l.m / l.groups;
  switch (dataflow) {
    case 'os':
      return { sr: px, sc: filters, t: window, groups: l.groups };
    case 'ws':
      return { sr: window, sc: filters, t: px, groups: l.groups };
    case 'is':
      return { sr: window, sc: px, t: filters, groups: l.groups };
  }
}

export function foldCycles(dataflow: Dataflow, rows: number, cols: number, t: number): number {
  return dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
}

function zeroLayer(l: LayerSpec, cfg: SystolicConfig): SystolicLayerResult {
  const zero = { ifmapReads: 0, filterReads: 0, ofmapWrites: 0 };
  return {
    name: l.name, dataflow: cfg.dataflow, sr: 0, sc: 0, t: 0, groups: l.groups, rowFolds: 0, colFolds: 0, macs: 0,
    cycles: 0, stallCycles: 0, overallUtilPct: 0, mappingEfficiencyPct: 0, computeUtilPct: 0,
    sram: zero, sramBandwidth: { ifmap: 0, filter: 0, ofmap: 0 }, dram: zero, latencyMs: 0,
    energy: { macPj: 0, sramPj: 0, dramPj: 0, totalPj: 0 },
  };
}

export function simulateLayer(l: LayerSpec, cfg: SystolicConfig, table: EnergyTable = HOROWITZ_45NM): SystolicLayerResult {
  checkLayer(l);
  if (l.kind === 'pool') return zeroLayer(l, cfg);
  const { rows, cols, dataflow } = cfg;
  const { sr, sc, t, groups } = gemmShape(l, dataflow);
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  const folds = rowFolds * colFolds;
  const groupCycles = folds * foldCycles(dataflow, rows, cols, t) - 1;
  const cycles = groups * groupCycles;

  // Summed fold by fold, in SCALE-Sim's order, so that the float averages are bit-identical.
  const arr = rows * cols;
  const utilCycles = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + 2 * cols + t - 3;
  let mapSum = 0;
  let utilSum = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    const colUsed = Math.min(cols, sc - fc * cols);
    for (let fr = 0; fr < rowFolds; fr++) {
      const mac = Math.min(rows, sr - fr * rows) * colUsed;
      mapSum += mac / arr;
      utilSum += (mac * t) / (arr * utilCycles);
    }
  }

  let one: SramCounts;
  if (dataflow === 'os') one = { ifmapReads: t * sr * colFolds, filterReads: t * sc * rowFolds, ofmapWrites: sr * sc + folds * (rows + cols) };
  else if (dataflow === 'ws') one = { ifmapReads: t * sr * colFolds, filterReads: sr * sc, ofmapWrites: t * sc * rowFolds };
  else one = { ifmapReads: sr * sc, filterReads: t * sr * colFolds, ofmapWrites: t * sc * rowFolds };
  const sram: SramCounts = {
    ifmapReads: groups * one.ifmapReads,
    filterReads: groups * one.filterReads,
    ofmapWrites: groups * one.ofmapWrites,
  };
  const dram: DramCounts = {
    ifmapReads: l.n * l.h * l.w * l.c,
    filterReads: l.r * l.s * (l.c / l.groups) * l.m,
    ofmapWrites: l.n * l.p * l.q * l.m,
  };
  const macs = layerMacs(l);
  return {
    name: l.name,
    dataflow,
    sr,
    sc,
    t,
    groups,
    rowFolds,
    colFolds,
    macs,
    cycles,
    stallCycles: 0,
    overallUtilPct: (macs * 100) / (cycles * arr),
    mappingEfficiencyPct: (mapSum / folds) * 100,
    computeUtilPct: (utilSum / folds) * 100,
    sram,
    sramBandwidth: { ifmap: sram.ifmapReads / cycles, filter: sram.filterReads / cycles, ofmap: sram.ofmapWrites / cycles },
    dram,
    latencyMs: (cycles / cfg.clockHz) * 1e3,
    energy: systolicEnergy(
      { macs, bits: cfg.wordBits, sram, dram, ifmapSramKb: cfg.ifmapSramKb, filterSramKb: cfg.filterSramKb, ofmapSramKb: cfg.ofmapSramKb },
      table,
    ),
  };
}

export function simulateNetwork(layers: readonly LayerSpec[], cfg: SystolicConfig, table: EnergyTable = HOROWITZ_45NM): SystolicNetworkResult {
  const results = layers.map((l) => simulateLayer(l, cfg, table));
  const sum = (f: (r: SystolicLayerResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const cycles = sum((r) => r.cycles);
  const macs = sum((r) => r.macs);
  return {
    config: cfg,
    layers: results,
    cycles,
    macs,
    overallUtilPct: cycles === 0 ? 0 : (macs * 100) / (cycles * cfg.rows * cfg.cols),
    sram: { ifmapReads: sum((r) => r.sram.ifmapReads), filterReads: sum((r) => r.sram.filterReads), ofmapWrites: sum((r) => r.sram.ofmapWrites) },
    dram: { ifmapReads: sum((r) => r.dram.ifmapReads), filterReads: sum((r) => r.dram.filterReads), ofmapWrites: sum((r) => r.dram.ofmapWrites) },
    latencyMs: (cycles / cfg.clockHz) * 1e3,
    energy: {
      macPj: sum((r) => r.energy.macPj),
      sramPj: sum((r) => r.energy.sramPj),
      dramPj: sum((r) => r.energy.dramPj),
      totalPj: sum((r) => r.energy.totalPj),
    },
  };
}
