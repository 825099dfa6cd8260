/**
 * The mbconv relaxed search problem (the shape strategies/relaxed-problem.ts asks for): the relaxed
 * supernet's cross-entropy plus exact cost tables for the metrics a search weighs — MACs, LUT
 * latency, accelerator latency / energy on a preset, or over a pool of accelerator configs whose
 * choice is one more decision (the pool is K configs sampled within the area budget, or given).
 *
 * Decisions: the mbconv genome (resolution sampled per step; every other gene mixed in the relaxed
 * forward), then — with a pool — which accelerator. Table building maps each distinct layer once per
 * accelerator (the cost model caches by layer and hardware key).
 */
import { ConfigError, NotFoundError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { layerMacs, type JsonObject, type LayerSpec } from '../core/types.ts';
import { type AccelConfig, type ArchSpec, type CostModel, accelArch, accelKey, createAccelSpace } from '../hardware/index.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { fromGenome, genomeArity } from '../search-space/mbconv-arch.ts';
import type { MbconvSupernet } from '../supernet/mbconv-supernet.ts';
import { RelaxedSupernet } from '../supernet/relaxed.ts';
import { type RelaxedData, type RelaxedStepOptions, relaxedCrossEntropy } from '../supernet/relaxed-step.ts';
import { type CostTable, checkCostTable, costOfChoices, expectedCost } from './expected-cost.ts';
import { mbconvCostTable, poolCostTable } from './mbconv-cost-tables.ts';
import type { LatencyTable } from './lut/lut-estimator.ts';
import { provenanceLabel } from './lut/lut-estimator.ts';
import { splitUnits } from './lut/units.ts';

export const RELAXED_METRICS = ['macs_m', 'latency_ms', 'hw_latency_ms', 'energy_uj', 'area_mm2'] as const;
export type RelaxedMetric = (typeof RELAXED_METRICS)[number];

export interface CostSources {
  /** latency_ms: the latency lookup table (per-unit medians). */
  readonly lut?: LatencyTable;
  /** hw_latency_ms, energy_uj, area_mm2: the accelerator cost model and … */
  readonly model?: CostModel;
  /** … either one accelerator (preset name or spec) or a pool searched as a decision. */
  readonly hw?: ArchSpec | string;
  readonly pool?: readonly AccelConfig[];
}

/** K distinct accelerator configs sampled within the area budget (fewer if the space is smaller). */
export function sampleAccelPool(rng: Rng, k: number, areaBudgetMm2?: number): AccelConfig[] {
  const space = createAccelSpace(areaBudgetMm2 === undefined ? {} : { areaBudgetMm2 });
  const seen = new Map<string, AccelConfig>();
  for (let i = 0; i < 50 * k && seen.size < k; i++) {
    const c = space.sample(rng);
    if (!seen.has(accelKey(c))) seen.set(accelKey(c), c);
  }
  return [...seen.values()];
}

/** The cost table of one metric over the mbconv decisions (with the pool decision last, if any). */
export function mbconvMetricTable(space: MbconvSpace, metric: string, src: CostSources): CostTable {
  const hwCount = src.pool?.length ?? 0;
  const specs: (ArchSpec | string)[] = src.pool ? src.pool.map(accelArch) : src.hw !== undefined ? [src.hw] : [];
  const needHw = () => {
    if (!src.model || specs.length === 0) throw new ConfigError('relaxed.costs', metric, 'needs the accelerator cost model and a preset or an accelerator pool');
    return src.model;
  };
  switch (metric) {
    case 'macs_m':
      return mbconvCostTable(space, metric, (ls) => ls.reduce((s, l) => s + layerMacs(l), 0) / 1e6, { scope: 'layer', bits: false, hwCount });
    case 'latency_ms': {
      const lut = src.lut;
      if (!lut) throw new ConfigError('relaxed.costs', metric, 'needs a latency lookup table (run `nas lut build`)');
      const ms = (ls: readonly LayerSpec[]) => {
        const key = splitUnits(ls)[0]?.key ?? '';
        const e = lut.entries.get(key);
        if (!e) throw new NotFoundError(`latency LUT entry (${provenanceLabel(lut.provenance)}; run \`nas lut build\`)`, key);
        return e.medianMs;
      };
      return mbconvCostTable(space, metric, ms, { scope: 'unit', bits: false, hwCount, batch: lut.provenance.batchSize });
    }
    case 'hw_latency_ms':
    case 'energy_uj': {
      const model = needHw();
      const pick = metric === 'energy_uj' ? (r: { energyPj: number }) => r.energyPj / 1e6 : (r: { latencyMs: number }) => r.latencyMs;
      const cost = (ls: readonly LayerSpec[], h: number) => pick(model.evaluate(ls, specs[h] as ArchSpec | string));
      return mbconvCostTable(space, metric, cost, { scope: 'layer', bits: true, hwCount });
    }
    case 'area_mm2': {
      const model = needHw();
      const areas = specs.map((s) => model.evaluate([], s).areaMm2);
      if (hwCount > 0) return poolCostTable(space, metric, areas);
      return { metric, arity: [...genomeArity(space.config)], terms: [{ groups: [], table: Float64Array.of(areas[0] as number) }] };
    }
    default:
      throw new ConfigError('relaxed.costs', metric, `unknown metric; exact expectations exist for ${RELAXED_METRICS.join(', ')}`);
  }
}

export interface MbconvRelaxedOptions extends RelaxedStepOptions {
  readonly space: MbconvSpace;
  readonly supernet: MbconvSupernet;
  readonly data: RelaxedData;
  /** Tables by metric (mbconvMetricTable); all must share the decision structure. */
  readonly tables: readonly CostTable[];
  /** With a pool, candidates are {arch, hw: pool[choice]} (the joint space's values). */
  readonly pool?: readonly AccelConfig[];
}

export interface MbconvRelaxedProblem {
  readonly arity: readonly number[];
  readonly sampled: readonly number[];
  readonly costMetrics: readonly string[];
  readonly trainSize: number;
  decode(choices: readonly number[]): JsonObject;
  expectedCost(metric: string, probs: readonly (readonly number[])[]): { value: number; grad: number[][] };
  cost(metric: string, choices: readonly number[]): number;
  crossEntropy(step: { logits: readonly number[]; noise: readonly number[]; temperature: number; choices: readonly number[]; batch: readonly number[] }): { loss: number; grad: number[] };
  dispose(): void;
}

export function mbconvRelaxedProblem(o: MbconvRelaxedOptions): MbconvRelaxedProblem {
  const cfg = o.space.config;
  const genome = [...genomeArity(cfg)];
  const pool = o.pool ?? [];
  const arity = pool.length > 0 ? [...genome, pool.length] : genome;
  const genomeLogits = genome.reduce((s, a) => s + a, 0);
  const tables = new Map<string, CostTable>();
  for (const t of o.tables) {
    checkCostTable(t);
    if (t.arity.join(',') !== arity.join(',')) throw new ConfigError(`relaxed.tables.${t.metric}.arity`, t.arity.length, `expected the ${arity.length} decisions of this problem`);
    tables.set(t.metric, t);
  }
  const table = (metric: string): CostTable => {
    const t = tables.get(metric);
    if (!t) throw new ConfigError('relaxed.costs', metric, `no cost table; available: ${[...tables.keys()].join(', ')}`);
    return t;
  };
  const relaxed = new RelaxedSupernet(o.supernet);
  return {
    arity,
    sampled: [0],
    costMetrics: [...tables.keys()],
    trainSize: o.data.train.n,
    decode(choices) {
      const arch = fromGenome(cfg, choices.slice(0, genome.length)) as unknown as JsonObject;
      if (pool.length === 0) return arch;
      const hw = pool[choices[genome.length] as number];
      if (!hw) throw new ConfigError('choices.hw', choices[genome.length], `must index the pool of ${pool.length} accelerators`);
      return { arch, hw };
    },
    expectedCost: (metric, probs) => expectedCost(table(metric), probs),
    cost: (metric, choices) => costOfChoices(table(metric), choices),
    crossEntropy(step) {
      const resolution = cfg.resolutions[step.choices[0] as number];
      if (resolution === undefined) throw new ConfigError('choices[0]', step.choices[0], `must index one of ${cfg.resolutions.length} resolutions`);
      const r = relaxedCrossEntropy(relaxed, o.data, {
        logits: step.logits.slice(0, genomeLogits), noise: step.noise.slice(0, genomeLogits), temperature: step.temperature, resolution, batch: step.batch,
      }, o);
      // The accelerator decision does not change the network's function: no cross-entropy gradient.
      return { loss: r.loss, grad: [...r.grad, ...new Array<number>(step.logits.length - genomeLogits).fill(0)] };
    },
    dispose: () => relaxed.dispose(),
  };
}
