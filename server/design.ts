/**
 * The design choices a reader filters and colours by, read from a stored trial's arch and hw JSON:
 * network (resolution, active depth, mean kernel / expand ratio / weight and activation bits over
 * the active blocks — the mbconv arch format of search-space/mbconv-arch.ts) and accelerator (PE
 * array, dataflow, precision, buffers — hardware/space/accel-space.ts; a preset experiment's trials
 * carry no hw, so its preset name stands in). Unknown shapes (e.g. NAS-Bench-201 cells) give nulls.
 */
import type { Json } from '../core/types.ts';

export type DesignValue = number | string | null;

export interface DesignColumn {
  readonly name: string;
  readonly label: string;
  readonly kind: 'number' | 'category';
  readonly unit?: string;
  /** Where the value comes from, for tooltips. */
  readonly group: 'network' | 'accelerator';
}

export const DESIGN_COLUMNS: readonly DesignColumn[] = [
  { name: 'resolution', label: 'resolution', kind: 'number', unit: 'px', group: 'network' },
  { name: 'depth', label: 'depth (active blocks)', kind: 'number', group: 'network' },
  { name: 'kernel', label: 'kernel (mean)', kind: 'number', group: 'network' },
  { name: 'expand', label: 'expand (mean)', kind: 'number', group: 'network' },
  { name: 'wbits', label: 'weight bits (mean)', kind: 'number', unit: 'bit', group: 'network' },
  { name: 'abits', label: 'activation bits (mean)', kind: 'number', unit: 'bit', group: 'network' },
  { name: 'pe_array', label: 'PE array', kind: 'category', group: 'accelerator' },
  { name: 'pes', label: 'PEs', kind: 'number', group: 'accelerator' },
  { name: 'dataflow', label: 'dataflow', kind: 'category', group: 'accelerator' },
  { name: 'precision', label: 'precision', kind: 'category', group: 'accelerator' },
  { name: 'glb_kib', label: 'global buffer', kind: 'number', unit: 'KiB', group: 'accelerator' },
  { name: 'rf_words', label: 'register file / PE', kind: 'number', unit: 'words', group: 'accelerator' },
  { name: 'dram_gbps', label: 'DRAM bandwidth', kind: 'number', unit: 'GB/s', group: 'accelerator' },
];

type Obj = Record<string, Json>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const mean = (xs: readonly number[]): number | null => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100 : null);

function network(arch: Json): Record<string, DesignValue> {
  const out: Record<string, DesignValue> = { resolution: null, depth: null, kernel: null, expand: null, wbits: null, abits: null };
  if (!isObj(arch) || !Array.isArray(arch.stages)) return out;
  out.resolution = num(arch.resolution);
  const active: Obj[] = [];
  for (const s of arch.stages) {
    if (!isObj(s) || !Array.isArray(s.blocks)) return out;
    const depth = num(s.depth) ?? s.blocks.length;
    for (const b of s.blocks.slice(0, depth)) if (isObj(b)) active.push(b);
  }
  out.depth = active.length;
  for (const f of ['kernel', 'expand', 'wbits', 'abits'] as const) out[f] = mean(active.map((b) => num(b[f])).filter((v): v is number => v !== null));
  return out;
}

function accelerator(hw: Json | null | undefined, preset: string | null): Record<string, DesignValue> {
  const out: Record<string, DesignValue> = { pe_array: null, pes: null, dataflow: null, precision: null, glb_kib: null, rf_words: null, dram_gbps: null };
  if (!isObj(hw)) {
    if (preset) out.pe_array = `preset ${preset}`;
    return out;
  }
  const rows = num(hw.peRows);
  const cols = num(hw.peCols);
  if (rows !== null && cols !== null) {
    out.pe_array = `${rows}×${cols}`;
    out.pes = rows * cols;
  }
  out.dataflow = typeof hw.dataflow === 'string' ? hw.dataflow : null;
  out.precision = typeof hw.precision === 'string' ? hw.precision : null;
  out.glb_kib = num(hw.glbKiB);
  out.rf_words = num(hw.rfWords);
  out.dram_gbps = num(hw.dramGBps);
  return out;
}

/** The preset an experiment's config names (hardware: { mode: preset, preset }), else null. */
export function presetOf(config: Json): string | null {
  if (!isObj(config) || !isObj(config.hardware)) return null;
  return config.hardware.mode === 'preset' && typeof config.hardware.preset === 'string' ? config.hardware.preset : null;
}

export function designOf(arch: Json, hw: Json | null | undefined, preset: string | null): Record<string, DesignValue> {
  return { ...network(arch), ...accelerator(hw, preset) };
}

/** One-line accelerator label, e.g. "16×16 ws int8 · GLB 128 KiB". */
export function acceleratorLabel(d: Record<string, DesignValue>): string | null {
  if (d.pe_array === null) return null;
  const parts = [d.pe_array, d.dataflow, d.precision].filter((x) => x !== null);
  return `${parts.join(' ')}${d.glb_kib !== null ? ` · GLB ${d.glb_kib} KiB` : ''}`;
}
