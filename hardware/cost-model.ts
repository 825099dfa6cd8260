/**
 * The CostModel API (docs/architecture.md §2) that estimators and strategies call: maps every layer with the
 * mapper (cached by (layer key, hw key, objective) — NAS candidates share most layers, so the hit
 * rate is what makes co-search affordable) and sums latency and energy over the network.
 */
import type { LayerSpec } from '../core/types.ts';
import type { Evaluation } from './model/analysis.ts';
import { formatMapping, type Mapping } from './model/mapping.ts';
import { mapLayer, type MapperObjective, type MapperOptions } from './mapper/mapper.ts';
import { preset } from './presets.ts';
import { archAreaMm2, archKey, type ArchSpec } from './spec.ts';
import { fromLayer } from './workload.ts';
import { layerFigures, type LayerFigures } from './layer-figures.ts';

export interface LayerCost extends LayerFigures {
  readonly mapping: Mapping;
  /** The mapping as a Timeloop-style loop nest. */
  readonly mappingText: string;
  readonly evaluation: Evaluation;
  /** Whether this result came from the cache. */
  readonly cached: boolean;
  /** Mapper candidates drawn and valid ones among them. */
  readonly search: { readonly evaluations: number; readonly valid: number };
}

export interface CostResult {
  readonly latencyCycles: number;
  readonly latencyMs: number;
  readonly energyPj: number;
  readonly areaMm2: number;
  readonly perLayer: readonly LayerCost[];
}

/**
 * Mapper budget inside search loops: enough for stable costs, small enough for ~10 ms per layer.
 * No local search there (it evaluates mostly valid, hence costlier, candidates: ~3× the time for
 * ~2–3 % lower EDP); reports (`nas hw eval`, `nas hw validate`) polish their mappings.
 */
export const SEARCH_BUDGET = { maxEvaluations: 300, patience: 80, refineEvaluations: 0 } as const;

export interface CostModelOptions extends MapperOptions {
  /** Entries kept before the cache is cleared (default 100 000). */
  readonly cacheLimit?: number;
}

type Cached = Omit<LayerCost, 'name' | 'cached'>;

/** Canonical key of a layer: every field that changes its cost (a residual add, densities, post-ops), not its name. */
export function layerKey(l: LayerSpec): string {
  const extra = `${l.residualFrom !== undefined ? 'res' : ''},${l.density?.inputs ?? 1},${l.density?.outputs ?? 1},${(l.post ?? []).join('+')}`;
  return `${l.kind},${l.n},${l.c},${l.m},${l.h},${l.w},${l.p},${l.q},${l.r},${l.s},${l.stride},${l.groups},${l.bits.weights},${l.bits.inputs},${l.bits.outputs},${l.pool ?? ''},${extra}`;
}

export class CostModel {
  private readonly cache = new Map<string, Cached>();
  private readonly hwKeys = new WeakMap<ArchSpec, string>();
  private hits = 0;
  private misses = 0;

  constructor(private readonly opts: CostModelOptions = {}) {}

  get objective(): MapperObjective {
    return this.opts.objective ?? 'edp';
  }

  /** Cost of a network on an accelerator (an ArchSpec or a preset name). */
  evaluate(layers: readonly LayerSpec[], hw: ArchSpec | string): CostResult {
    const arch = typeof hw === 'string' ? preset(hw) : hw;
    let hk = this.hwKeys.get(arch);
    if (hk === undefined) { hk = archKey(arch); this.hwKeys.set(arch, hk); }
    const perLayer: LayerCost[] = [];
    let cycles = 0;
    let energy = 0;
    for (const l of layers) {
      const key = `${layerKey(l)}|${this.objective}|${hk}`;
      let c = this.cache.get(key);
      const cached = c !== undefined;
      if (c === undefined) {
        c = this.mapOne(l, arch);
        if (this.cache.size >= (this.opts.cacheLimit ?? 100_000)) this.cache.clear();
        this.cache.set(key, c);
        this.misses++;
      } else this.hits++;
      perLayer.push({ name: l.name, cached, ...c });
      cycles += c.cycles;
      energy += c.energyPj;
    }
    return { latencyCycles: cycles, latencyMs: cycles / (arch.clockGHz * 1e6), energyPj: energy, areaMm2: archAreaMm2(arch), perLayer };
  }

  cacheStats(): { size: number; hits: number; misses: number } {
    return { size: this.cache.size, hits: this.hits, misses: this.misses };
  }

  private mapOne(l: LayerSpec, arch: ArchSpec): Cached {
    const p = fromLayer(l);
    const r = mapLayer(p, arch, { ...SEARCH_BUDGET, ...this.opts });
    const { name: _name, ...figures } = layerFigures(l.name, l, r.evaluation, arch);
    return { ...figures, mapping: r.mapping, mappingText: formatMapping(p, arch, r.mapping), evaluation: r.evaluation, search: { evaluations: r.evaluations, valid: r.valid } };
  }
}
