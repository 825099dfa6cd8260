/**
 * Systolic presets. `scale-32-{os,ws,is}` are SCALE-Sim's `scale.cfg` (32×32, 64 kB SRAMs,
 * Bandwidth 10, one bank, InterfaceBandwidth CALC) with that dataflow; `scalesim-eyeriss` and
 * `scalesim-google` mirror SCALE-Sim's eyeriss.cfg / google.cfg. `tpu-v1` follows the TPU v1
 * paper (Jouppi et al., ISCA 2017): 256×256 8-bit MACs at 700 MHz, weight stationary, 24 MiB
 * unified buffer, 4 MiB accumulators, 256 KiB weight FIFO, 34 GB/s DRAM (≈ 48 B per cycle).
 * Energy for all of them: Horowitz 45 nm (see energy.ts).
 */
import { HardwareError } from '../../core/errors.ts';
import type { SystolicConfig } from './types.ts';

const scale32 = (dataflow: SystolicConfig['dataflow']): SystolicConfig => ({
  name: `scale-32-${dataflow}`,
  rows: 32,
  cols: 32,
  ifmapSramKb: 64,
  filterSramKb: 64,
  ofmapSramKb: 64,
  ifmapOffset: 0,
  filterOffset: 10_000_000,
  ofmapOffset: 20_000_000,
  dataflow,
  bandwidth: 10,
  memoryBanks: 1,
  interfaceBandwidth: 'CALC',
  clockHz: 1e9,
  wordBits: 8,
});

export const SYSTOLIC_PRESETS: Readonly<Record<string, SystolicConfig>> = Object.freeze({
  'scale-32-os': scale32('os'),
  'scale-32-ws': scale32('ws'),
  'scale-32-is': scale32('is'),
  'scalesim-eyeriss': { ...scale32('ws'), name: 'scalesim-eyeriss', rows: 12, cols: 14, ifmapSramKb: 36, filterSramKb: 36, ofmapSramKb: 36 },
  'scalesim-google': { ...scale32('ws'), name: 'scalesim-google', rows: 256, cols: 256, ifmapSramKb: 6144, filterSramKb: 6144, ofmapSramKb: 2048 },
  'tpu-v1': {
    ...scale32('ws'),
    name: 'tpu-v1',
    rows: 256,
    cols: 256,
    ifmapSramKb: 24 * 1024,
    filterSramKb: 256,
    ofmapSramKb: 4 * 1024,
    bandwidth: 34e9 / 700e6,
    interfaceBandwidth: 'USER',
    clockHz: 700e6,
  },
});

export function systolicPresetNames(): string[] {
  return Object.keys(SYSTOLIC_PRESETS);
}

export function systolicPreset(name: string): SystolicConfig {
  const p = SYSTOLIC_PRESETS[name];
  if (!p) throw new HardwareError(`unknown systolic preset ${JSON.stringify(name)}; known: ${systolicPresetNames().join(', ')}`, { preset: name });
  return p;
}

/** Peak throughput in ops/s, counting a MAC as two operations (multiply + add). */
export function peakOpsPerSecond(cfg: SystolicConfig): number {
  return 2 * cfg.rows * cfg.cols * cfg.clockHz;
}
