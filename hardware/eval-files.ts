/**
 * Service behind `nas hw eval`: loads an accelerator (preset name, Timeloop arch YAML, or SCALE-Sim
 * .cfg → systolic mode so SCALE-Sim users get SCALE-Sim numbers), a workload (SCALE-Sim topology
 * CSV, Timeloop problem YAML, or a JSON LayerSpec list) and optionally a Timeloop mapping, and
 * returns one JSON-ready report.
 */
import { readFileSync } from 'node:fs';
import { parseLayerJson } from './layer-json.ts';
import { ConfigError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';
import { CostModel } from './cost-model.ts';
import { layerFigures, type LayerFigures } from './layer-figures.ts';
import { mapLayer, type MapperObjective } from './mapper/mapper.ts';
import { analyze, type Evaluation } from './model/analysis.ts';
import { formatMapping } from './model/mapping.ts';
import { PRESETS, preset } from './presets.ts';
import { readScaleSimConfig } from './scalesim/config.ts';
import { readScaleSimTopology } from './scalesim/topology.ts';
import { archArea, type AreaBreakdown, type ArchSpec } from './spec.ts';
import { simulateNetwork, type SystolicNetworkResult } from './systolic/index.ts';
import { readTimeloopArch, type TimeloopArch } from './timeloop/arch.ts';
import { readTimeloopMap } from './timeloop/map.ts';
import { readTimeloopProblem } from './timeloop/problem.ts';
import { fromLayer, type Problem } from './workload.ts';

export interface HwEvalOptions {
  readonly arch: string;
  readonly workload: string;
  readonly mapping?: string;
  /** Folder holding the Accelergy ERT/ART summaries when they are not beside the arch YAML. */
  readonly ert?: string;
  readonly objective?: MapperObjective;
  readonly seed?: number;
}

export interface LevelReport {
  readonly level: string;
  readonly instances: number;
  readonly energyPj: number;
  /** tensor → per-instance reads/fills/updates. */
  readonly tensors: Readonly<Record<string, { reads: number; fills: number; updates: number; tile: number }>>;
}

export interface LayerReport extends LayerFigures {
  readonly levels: readonly LevelReport[];
  readonly mapping: string;
}

export type HwEvalReport =
  | {
    readonly mode: 'timeloop'; readonly arch: string; readonly technologyNm: number | null; readonly cycles: number; readonly latencyMs: number; readonly energyPj: number;
    /** Core area (mm²) and its parts. */
    readonly areaMm2: number; readonly area: AreaBreakdown;
    /** Off-chip bytes over all layers, as moved and uncoded. */
    readonly offChipBytes: number; readonly offChipDenseBytes: number;
    readonly layers: readonly LayerReport[];
  }
  | { readonly mode: 'systolic'; readonly arch: string; readonly result: SystolicNetworkResult };

function loadArch(spec: string, ert?: string): TimeloopArch | ArchSpec | 'cfg' {
  if (spec.endsWith('.cfg')) return 'cfg';
  if (/\.ya?ml$/.test(spec)) {
    const ta = readTimeloopArch(spec, ert);
    if (ta.arch.mac.energyPj === 0) throw new ConfigError('--ert', ert ?? '(beside the arch)', `no ERT_summary.yaml found for ${spec}; energies would be 0`);
    return ta;
  }
  if (!PRESETS[spec]) throw new ConfigError('--arch', spec, `is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a .yaml/.cfg file`);
  return preset(spec);
}

function loadLayers(file: string): LayerSpec[] {
  if (file.endsWith('.csv')) return readScaleSimTopology(file);
  if (file.endsWith('.json')) {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError('--workload', file, `cannot read JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return parseLayerJson(v, file);
  }
  throw new ConfigError('--workload', file, 'must be a SCALE-Sim topology .csv, a Timeloop problem .yaml or a LayerSpec .json');
}

function layerReport(name: string, layer: LayerSpec | null, p: Problem, a: ArchSpec, e: Evaluation, mappingText: string): LayerReport {
  return {
    ...layerFigures(name, layer, e, a), mapping: mappingText,
    levels: e.levels.map((l) => ({
      level: l.name, instances: l.utilizedInstances, energyPj: l.energyPj + l.leakPj,
      tensors: Object.fromEntries(l.tensors.flatMap((t, i) => (t ? [[p.dataSpaces[i]?.name ?? `t${i}`, { reads: t.reads, fills: t.fills, updates: t.updates, tile: t.tile }]] : []))),
    })),
  };
}

export function hwEval(o: HwEvalOptions): HwEvalReport {
  const loaded = loadArch(o.arch, o.ert);
  if (loaded === 'cfg') {
    if (o.mapping) throw new ConfigError('--mapping', o.mapping, 'does not apply to a SCALE-Sim .cfg (systolic mode)');
    return { mode: 'systolic', arch: o.arch, result: simulateNetwork(loadLayers(o.workload), readScaleSimConfig(o.arch)) };
  }
  const ta: TimeloopArch = 'arch' in loaded ? loaded : { arch: loaded, containers: new Map() };
  const a = ta.arch;
  const opts = { objective: o.objective ?? 'edp', seed: o.seed ?? 1 } as const;
  let layers: LayerReport[];
  if (/\.ya?ml$/.test(o.workload)) {
    const p = readTimeloopProblem(o.workload);
    const m = o.mapping ? readTimeloopMap(o.mapping, p, ta) : mapLayer(p, a, opts).mapping;
    layers = [layerReport(p.name, null, p, a, analyze(p, a, m), formatMapping(p, a, m))];
  } else {
    const specs = loadLayers(o.workload);
    if (o.mapping) {
      if (specs.length !== 1) throw new ConfigError('--mapping', o.mapping, `applies to a single-layer workload (got ${specs.length} layers)`);
      const spec = specs[0] as LayerSpec;
      const p = fromLayer(spec);
      const m = readTimeloopMap(o.mapping, p, ta);
      layers = [layerReport(p.name, spec, p, a, analyze(p, a, m), formatMapping(p, a, m))];
    } else {
      const r = new CostModel(opts).evaluate(specs, a);
      layers = r.perLayer.map((l, i) => layerReport(l.name, specs[i] as LayerSpec, fromLayer(specs[i] as LayerSpec), a, l.evaluation, l.mappingText));
    }
  }
  const sum = (f: (l: LayerReport) => number): number => layers.reduce((s, l) => s + f(l), 0);
  const cycles = sum((l) => l.cycles);
  const area = archArea(a);
  return {
    mode: 'timeloop', arch: a.name, technologyNm: a.technologyNm ?? null, cycles, latencyMs: cycles / (a.clockGHz * 1e6), energyPj: sum((l) => l.energyPj),
    areaMm2: area.totalMm2, area, offChipBytes: sum((l) => l.offChipBytes), offChipDenseBytes: sum((l) => l.offChipDenseBytes), layers,
  };
}
