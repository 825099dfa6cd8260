/**
 * Service behind `nas hw eval`: loads an accelerator (preset name, Timeloop arch YAML, or SCALE-Sim
 * .cfg → systolic mode so SCALE-Sim users get SCALE-Sim numbers), a workload (SCALE-Sim topology
 * CSV, Timeloop problem YAML, or a JSON LayerSpec list) and optionally a Timeloop mapping, and
 * returns one JSON-ready report.
 */
import { ConfigError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';
import { CostModel, SEARCH_BUDGET } from './cost-model.ts';
import { loadArchInput, loadLayers, loadMapping, requirePath, type Mapspace } from './eval-inputs.ts';
import { hasLoopConstraints } from './mapspace/constraints.ts';
import { layerFigures, type LayerFigures } from './layer-figures.ts';
import { mapLayer, type MapperObjective } from './mapper/mapper.ts';
import { analyze, type Evaluation } from './model/analysis.ts';
import { formatMapping } from './model/mapping.ts';
import { readScaleSimConfig } from './scalesim/config.ts';
import { archArea, type AreaBreakdown, type ArchSpec } from './spec.ts';
import { simulateNetwork, type SystolicNetworkResult } from './systolic/index.ts';
import { readTimeloopProblem } from './timeloop/problem.ts';
import { fromLayer, type Problem } from './workload.ts';

export interface HwEvalOptions {
  readonly arch: string;
  readonly workload: string;
  readonly mapping?: string;
  /** Folder holding the Accelergy ERT/ART summaries when they are not beside the arch YAML. */
  readonly ert?: string;
  /** Timeloop mapspace-constraints YAML applied on top of the arch's own constraints. */
  readonly constraints?: string;
  /** 'free' drops every loop constraint (factors, permutations, splits, utilization); keep/bypass stay. */
  readonly mapspace?: Mapspace;
  /** Accept a given mapping whose loop bounds overshoot a dimension (the padding runs as idle MACs). */
  readonly allowPadding?: boolean;
  /** Mapper budget: candidates per layer and consecutive valid candidates without improvement. */
  readonly maxEvaluations?: number;
  readonly patience?: number;
  /** Charge MAC leakage (Timeloop does not). */
  readonly macLeakage?: boolean;
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
  /** Where the mapping came from: the mapper (with its candidate counts) or the --mapping file. */
  readonly mappedBy: { readonly mapper: { readonly evaluations: number; readonly valid: number } } | { readonly file: string };
}

export type HwEvalReport =
  | {
    readonly mode: 'timeloop'; readonly arch: string; readonly mapspace: Mapspace; readonly technologyNm: number | null;
    readonly cycles: number; readonly latencyMs: number; readonly energyPj: number;
    /** Core area (mm²) and its parts. */
    readonly areaMm2: number; readonly area: AreaBreakdown;
    /** Off-chip bytes over all layers, as moved and uncoded. */
    readonly offChipBytes: number; readonly offChipDenseBytes: number;
    readonly layers: readonly LayerReport[];
  }
  | { readonly mode: 'systolic'; readonly arch: string; readonly result: SystolicNetworkResult };

function layerReport(name: string, layer: LayerSpec | null, p: Problem, a: ArchSpec, e: Evaluation, mappingText: string, mappedBy: LayerReport['mappedBy']): LayerReport {
  return {
    ...layerFigures(name, layer, e, a), mapping: mappingText, mappedBy,
    levels: e.levels.map((l) => ({
      level: l.name, instances: l.utilizedInstances, energyPj: l.energyPj + l.leakPj,
      tensors: Object.fromEntries(l.tensors.flatMap((t, i) => (t ? [[p.dataSpaces[i]?.name ?? `t${i}`, { reads: t.reads, fills: t.fills, updates: t.updates, tile: t.tile }]] : []))),
    })),
  };
}

export function hwEval(o: HwEvalOptions): HwEvalReport {
  const loaded = loadArchInput(o);
  if (loaded === 'cfg') {
    if (o.mapping) throw new ConfigError('--mapping', o.mapping, 'does not apply to a SCALE-Sim .cfg (systolic mode)');
    return { mode: 'systolic', arch: o.arch, result: simulateNetwork(loadLayers(o.workload), readScaleSimConfig(o.arch)) };
  }
  const a = loaded.arch;
  const budget = { ...(o.maxEvaluations !== undefined ? { maxEvaluations: o.maxEvaluations } : {}), ...(o.patience !== undefined ? { patience: o.patience } : {}) };
  const opts = { objective: o.objective ?? 'edp', seed: o.seed ?? 1, ...budget } as const;
  const given = (p: Problem, layer: LayerSpec | null, file: string): LayerReport => {
    const m = loadMapping(file, p, loaded, o.allowPadding);
    return layerReport(p.name, layer, p, a, analyze(p, a, m), formatMapping(p, a, m), { file });
  };
  let layers: LayerReport[];
  if (/\.ya?ml$/i.test(o.workload)) {
    const p = readTimeloopProblem(requirePath('--workload', o.workload));
    if (o.mapping) layers = [given(p, null, o.mapping)];
    else {
      const r = mapLayer(p, a, opts);
      layers = [layerReport(p.name, null, p, a, r.evaluation, formatMapping(p, a, r.mapping), { mapper: { evaluations: r.evaluations, valid: r.valid } })];
    }
  } else {
    const specs = loadLayers(o.workload);
    if (o.mapping) {
      if (specs.length !== 1) throw new ConfigError('--mapping', o.mapping, `applies to a single-layer workload (got ${specs.length} layers)`);
      layers = [given(fromLayer(specs[0] as LayerSpec), specs[0] as LayerSpec, o.mapping)];
    } else {
      // a third of the budget polishes each layer's mapping (search loops skip that, SEARCH_BUDGET)
      const refineEvaluations = Math.floor((o.maxEvaluations ?? SEARCH_BUDGET.maxEvaluations) / 3);
      const r = new CostModel({ ...SEARCH_BUDGET, refineEvaluations, ...opts }).evaluate(specs, a);
      layers = r.perLayer.map((l, i) => layerReport(l.name, specs[i] as LayerSpec, fromLayer(specs[i] as LayerSpec), a, l.evaluation, l.mappingText, { mapper: l.search }));
    }
  }
  const sum = (f: (l: LayerReport) => number): number => layers.reduce((s, l) => s + f(l), 0);
  const cycles = sum((l) => l.cycles);
  const area = archArea(a);
  return {
    mode: 'timeloop', arch: a.name, mapspace: hasLoopConstraints(a) ? 'constrained' : 'free', technologyNm: a.technologyNm ?? null,
    cycles, latencyMs: cycles / (a.clockGHz * 1e6), energyPj: sum((l) => l.energyPj),
    areaMm2: area.totalMm2, area, offChipBytes: sum((l) => l.offChipBytes), offChipDenseBytes: sum((l) => l.offChipDenseBytes), layers,
  };
}
