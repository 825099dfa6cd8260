/**
 * The accelerator cost of every mbconv network on one accelerator, compiled: each distinct layer
 * the space can produce (shape × bit-widths, ~5,200 for the default space) is mapped once, up
 * front, into per-layer cycle and energy tables (mbconv-cost-tables.ts enumerates them), so a
 * search never waits on a first-time mapper run and a candidate costs two table walks instead of
 * lowering its layers and looking each one up.
 *
 * Exactness: the tables hold the CostModel's own per-layer cycles and pJ, and their terms run in
 * layer order (stem, blocks, head, pool, fc; absent blocks add 0), so the totals are the same
 * floating-point sums CostModel.evaluate forms — equal to `acceleratorEstimator`'s values bit for bit.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../core/errors.ts';
import type { Arch, HwConfig } from '../core/types.ts';
import { type ArchSpec, type CostModel, SEARCH_BUDGET, archAreaMm2, archKey, preset } from '../hardware/index.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { type MbconvArch, toGenome } from '../search-space/mbconv-arch.ts';
import { ACCELERATOR_OBJECTIVES } from './accelerator.ts';
import { costModelFingerprint } from './cost-model-fingerprint.ts';
import type { Estimator } from './estimator.ts';
import type { CostTable } from './expected-cost.ts';
import { mbconvCostTable } from './mbconv-cost-tables.ts';

export interface AcceleratorCost {
  readonly hw_latency_ms: number;
  readonly energy_uj: number;
  readonly edp_uj_ms: number;
  readonly area_mm2: number;
}

export interface CompiledAcceleratorCost extends Omit<TableParts, 'clockGHz'> {
  /** Cost of a valid arch of the space the table was compiled for. */
  cost(arch: MbconvArch): AcceleratorCost;
  /** The same figures from the arch's genome (choice indices, mbconv-arch.ts), for loops that never build archs. */
  costOfGenome(genome: ArrayLike<number>): AcceleratorCost;
}

/** Maps every distinct layer of `space` on `hw` once (through `model`, which caches them) and tables the results. */
export function compileAcceleratorCost(space: MbconvSpace, model: CostModel, hw: ArchSpec | string): CompiledAcceleratorCost {
  const spec = typeof hw === 'string' ? preset(hw) : hw;
  const t0 = performance.now();
  const missesBefore = model.cacheStats().misses;
  const opts = { scope: 'layer', bits: true } as const;
  // The second table finds every layer in the model's cache: only the enumeration is repeated.
  const energyPj = mbconvCostTable(space, 'energy_pj', (ls) => model.evaluate(ls, spec).energyPj, opts);
  const cycles = mbconvCostTable(space, 'cycles', (ls) => model.evaluate(ls, spec).latencyCycles, opts);
  const mappedLayers = model.cacheStats().misses - missesBefore;
  return fromTables(space, { hw: spec.name, hwKey: archKey(spec), objective: model.objective, cycles, energyPj, areaMm2: archAreaMm2(spec), clockGHz: spec.clockGHz, mappedLayers, buildMs: performance.now() - t0 });
}

interface TableParts {
  /** The accelerator's name and its canonical key (archKey): a table is valid for that key only. */
  readonly hw: string;
  readonly hwKey: string;
  /** Mapper objective the layers were mapped for (CostModel.objective). */
  readonly objective: string;
  readonly cycles: CostTable;
  readonly energyPj: CostTable;
  readonly areaMm2: number;
  readonly clockGHz: number;
  /** Distinct layers mapped for this table (mapper runs, fewer if the model's cache already held some). */
  readonly mappedLayers: number;
  readonly buildMs: number;
}

function fromTables(space: MbconvSpace, p: TableParts): CompiledAcceleratorCost {
  const cfg = space.config;
  // Both tables come from the same enumeration, so they share terms and groups: one index per term
  // serves both sums (costOfChoices twice would compute and check every index twice).
  const terms = p.cycles.terms.map((t, i) => {
    const e = p.energyPj.terms[i];
    if (!e || e.groups.join() !== t.groups.join() || e.table.length !== t.table.length) throw new ConfigError('energyPj.terms', i, 'the cycle and energy tables must have the same terms');
    return { groups: Int32Array.from(t.groups), arity: Int32Array.from(t.groups, (g) => p.cycles.arity[g] as number), cycles: t.table, energy: e.table };
  });
  // Same arithmetic as CostModel.evaluate + acceleratorEstimator: Σ cycles and Σ pJ in layer
  // order from 0, then cycles / (GHz·1e6) and pJ / 1e6.
  const costOfGenome = (g: ArrayLike<number>): AcceleratorCost => {
    let cycles = 0;
    let energy = 0;
    for (const t of terms) {
      let at = 0;
      for (let k = 0; k < t.groups.length; k++) at = at * (t.arity[k] as number) + (g[t.groups[k] as number] as number);
      cycles += t.cycles[at] as number;
      energy += t.energy[at] as number;
    }
    const latencyMs = cycles / (p.clockGHz * 1e6);
    const energyUj = energy / 1e6;
    return { hw_latency_ms: latencyMs, energy_uj: energyUj, edp_uj_ms: energyUj * latencyMs, area_mm2: p.areaMm2 };
  };
  return {
    hw: p.hw, hwKey: p.hwKey, objective: p.objective, cycles: p.cycles, energyPj: p.energyPj, areaMm2: p.areaMm2,
    mappedLayers: p.mappedLayers, buildMs: p.buildMs,
    cost: (arch) => costOfGenome(toGenome(cfg, arch)),
    costOfGenome,
  };
}

/** Bump when the table layout or the cost model's arithmetic changes: old cache files are then ignored. */
const CACHE_FORMAT = 2;

interface CacheFile {
  readonly format: number;
  readonly key: string;
  readonly parts: Omit<TableParts, 'cycles' | 'energyPj'> & { cycles: SerialTable; energyPj: SerialTable };
}
interface SerialTable {
  readonly metric: string;
  readonly arity: readonly number[];
  readonly terms: readonly { groups: readonly number[]; table: readonly number[] }[];
}

const toSerial = (t: CostTable): SerialTable => ({ metric: t.metric, arity: t.arity, terms: t.terms.map((x) => ({ groups: x.groups, table: Array.from(x.table) })) });
const fromSerial = (t: SerialTable): CostTable => ({ metric: t.metric, arity: t.arity, terms: t.terms.map((x) => ({ groups: x.groups, table: Float64Array.from(x.table) })) });

/**
 * `compileAcceleratorCost` with the tables kept in `dir`, one JSON file per (space config,
 * accelerator key, mapper objective, search budget and the cost model's source fingerprint) — JSON numbers round-trip float64 exactly,
 * so a loaded table gives the same costs. Assumes the CostModel's default mapper options (as every
 * search's CostModel); `buildMs` and `mappedLayers` are those of the original build.
 */
export function cachedAcceleratorCost(space: MbconvSpace, model: CostModel, hw: ArchSpec | string, dir: string): { compiled: CompiledAcceleratorCost; loaded: boolean; file: string } {
  const spec = typeof hw === 'string' ? preset(hw) : hw;
  const key = JSON.stringify({ space: space.config, hw: archKey(spec), objective: model.objective, budget: SEARCH_BUDGET, code: costModelFingerprint() });
  const file = join(dir, `accel-cost-${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (c.format === CACHE_FORMAT && c.key === key) {
      return { compiled: fromTables(space, { ...c.parts, cycles: fromSerial(c.parts.cycles), energyPj: fromSerial(c.parts.energyPj) }), loaded: true, file };
    }
  } catch {
    // Missing or unreadable (e.g. a torn write from another process): rebuild and replace it.
  }
  const compiled = compileAcceleratorCost(space, model, spec);
  const parts = { hw: compiled.hw, hwKey: compiled.hwKey, objective: compiled.objective, areaMm2: compiled.areaMm2, clockGHz: spec.clockGHz, mappedLayers: compiled.mappedLayers, buildMs: compiled.buildMs, cycles: toSerial(compiled.cycles), energyPj: toSerial(compiled.energyPj) };
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, key, parts } satisfies CacheFile));
  renameSync(tmp, file);
  return { compiled, loaded: false, file };
}

/**
 * `acceleratorEstimator`'s values from compiled tables, without the per-layer breakdown (search
 * loops need the values only). Candidates on another accelerator than the table's are refused.
 */
export function compiledAcceleratorEstimator(space: MbconvSpace, compiled: CompiledAcceleratorCost, resolve: (hw: HwConfig | null) => ArchSpec | string = () => compiled.hw): Estimator {
  // Keys by preset name or spec object: preset() builds a fresh spec on every call.
  const byName = new Map<string, string>();
  const bySpec = new WeakMap<ArchSpec, string>();
  const keyOf = (r: ArchSpec | string): string => {
    let key = typeof r === 'string' ? byName.get(r) : bySpec.get(r);
    if (key === undefined) {
      key = archKey(typeof r === 'string' ? preset(r) : r);
      if (typeof r === 'string') byName.set(r, key);
      else bySpec.set(r, key);
    }
    return key;
  };
  return {
    name: 'accelerator',
    objectives: ACCELERATOR_OBJECTIVES,
    async estimate(arch: Arch, hw: HwConfig | null = null) {
      const r = resolve(hw);
      if (keyOf(r) !== compiled.hwKey) throw new ConfigError('hw', typeof r === 'string' ? r : r.name, `the compiled cost table is for accelerator ${compiled.hw}`);
      return { values: { ...compiled.cost(space.validate(arch)) }, provenance: `hardware:${compiled.hw}:${compiled.objective}-mapped:compiled` };
    },
  };
}
