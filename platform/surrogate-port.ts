/**
 * The surrogate strategy's port (strategies/surrogate/port.ts) for the mbconv space: networks as
 * their genome (mbconv-arch.ts), predictor inputs = the one-hot encoding the accuracy predictors
 * use (`space.encode`, written straight from genomes) plus the network's scaled log bit-operations, exact cost from compiled tables — the
 * accelerator's (accel-tables.ts) and per-layer counters (MACs, parameters, model size) — and the
 * Gaussian-process predictor (estimators/accuracy/gp.ts).
 */
import type { JsonObject, LayerSpec } from '../core/types.ts';
import type { AccelConfig } from '../hardware/index.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { activeGenes, fromGenome, genomeArity, toGenome, type MbconvArch } from '../search-space/mbconv-arch.ts';
import { ACCELERATOR_OBJECTIVES } from '../estimators/accelerator.ts';
import { countLayers } from '../estimators/counters.ts';
import { costOfChoices, type CostTable } from '../estimators/expected-cost.ts';
import { mbconvCostTable } from '../estimators/mbconv-cost-tables.ts';
import { fitGpPredictor } from '../estimators/accuracy/gp.ts';
import type { GeneView, SurrogatePort } from '../strategies/surrogate/port.ts';
import type { Joint } from '../core/space/joint.ts';
import type { SearchSpace } from '../core/space/space.ts';
import type { AcceleratorTables } from './accel-tables.ts';

/** Per-layer counters the port tables (sums over layers, so a table per layer shape is exact). */
const COUNTER_TABLES: Readonly<Record<string, { bits: boolean; perLayer: (c: ReturnType<typeof countLayers>) => number; scale: number }>> = {
  macs_m: { bits: false, perLayer: (c) => c.macs, scale: 1e6 },
  params_k: { bits: false, perLayer: (c) => c.params, scale: 1e3 },
  model_kb: { bits: true, perLayer: (c) => c.modelBytes, scale: 1024 },
};

/**
 * Weight of the size feature: log bit-operations (Σ over layers of MACs × weight bits × activation
 * bits, the size measure of quantised NAS — APQ, Wang et al. CVPR 2020; Bit Fusion's cost is
 * proportional to it) scaled to [0, SIZE_WEIGHT] between the smallest and the largest network, so
 * the whole range counts like SIZE_WEIGHT² differing choices in the kernel's distance. It is also
 * the GP's trend (its mean function): accuracy grows with compute and with bits. Replaying the
 * default search's rounds (train on the first k trials, predict the 10 it picked next; 109 picks,
 * two runs), the prospective RMSE was 2.03 pt with the log-MACs trend chosen by BIC, 1.16 with it
 * always on, and 0.70 (τ 0.75) with log bit-operations: MACs alone see W4A4 and W8A8 as the same
 * network, and the search then spends its picks learning what bits do one code at a time.
 */
const SIZE_WEIGHT = 2;

export function mbconvGeneView(space: MbconvSpace): GeneView {
  const cfg = space.config;
  const arity = genomeArity(cfg);
  const offsets = arity.map((_, g) => arity.slice(0, g).reduce((s, a) => s + a, 0));
  const E = space.encodingLength;
  const F = E + 1;
  const bitOps = mbconvCostTable(space, 'bitops', (ls) => ls.reduce((s, { residualFrom: _r, ...l }) => s + countLayers([l]).macs * l.bits.weights * l.bits.inputs, 0), { scope: 'layer', bits: true });
  const logSize = (g: readonly number[]) => Math.log(costOfChoices(bitOps, g));
  const lo = logSize(toGenome(cfg, space.smallest()));
  const hi = logSize(toGenome(cfg, space.largest()));
  // The size × precision square's other corners: the largest network at the lowest bits, the smallest at the highest.
  const withBits = (a: MbconvArch, w: number, x: number): MbconvArch => ({ ...a, stages: a.stages.map((st) => ({ ...st, blocks: st.blocks.map((b) => ({ ...b, wbits: w, abits: x })) })) });
  const corners = [
    withBits(space.largest(), Math.min(...cfg.weightBits), Math.min(...cfg.activationBits)),
    withBits(space.smallest(), Math.max(...cfg.weightBits), Math.max(...cfg.activationBits)),
  ].map((a) => toGenome(cfg, space.validate(a) as MbconvArch));
  return {
    arity,
    active: (g) => activeGenes(cfg, Array.from({ length: arity.length }, (_, i) => g[i] as number)),
    largest: toGenome(cfg, space.largest()),
    smallest: toGenome(cfg, space.smallest()),
    corners,
    featureLength: F,
    features(genes, rows) {
      const G = arity.length;
      const out = new Float32Array(rows * F);
      for (let r = 0; r < rows; r++) {
        const g = Array.from(genes.subarray(r * G, (r + 1) * G));
        const on = activeGenes(cfg, g);
        for (let i = 0; i < G; i++) if (on[i]) out[r * F + (offsets[i] as number) + (g[i] as number)] = 1;
        out[r * F + E] = hi > lo ? (SIZE_WEIGHT * (logSize(g) - lo)) / (hi - lo) : 0;
      }
      return out;
    },
  };
}


export interface MbconvPortOptions {
  readonly space: MbconvSpace;
  /** The accelerator space when the search co-designs one (joint mode), else null. */
  readonly accel: SearchSpace<JsonObject> | null;
  /** The fixed accelerator (preset mode), else null. */
  readonly preset: string | null;
  /** Objectives and constrained metrics of the experiment. */
  readonly needed: ReadonlySet<string>;
  readonly tables: AcceleratorTables;
}

export function createMbconvSurrogatePort(o: MbconvPortOptions): SurrogatePort<JsonObject> {
  const cfg = o.space.config;
  const genes = mbconvGeneView(o.space);
  const G = genes.arity.length;
  const hasHw = o.accel !== null || o.preset !== null;
  const accelMetrics = hasHw ? ACCELERATOR_OBJECTIVES.map((m) => m.name).filter((m) => o.needed.has(m)) : [];
  const counters = Object.keys(COUNTER_TABLES).filter((m) => o.needed.has(m));
  const counterTables = new Map<string, CostTable>();
  for (const m of counters) {
    const spec = COUNTER_TABLES[m] as (typeof COUNTER_TABLES)[string];
    // one layer at a time: its residual source is another layer, which matters to activation memory only
    const alone = (ls: readonly LayerSpec[]) => ls.map(({ residualFrom: _r, ...l }) => l);
    counterTables.set(m, mbconvCostTable(o.space, m, (ls) => spec.perLayer(countLayers(alone(ls))), { scope: 'layer', bits: spec.bits }));
  }
  const costMetrics = [...accelMetrics, ...counters];
  const tableHw = (hw: JsonObject | null): AccelConfig | string | null => (hw ? (hw as AccelConfig) : o.preset);
  return {
    predicted: 'accuracy',
    costMetrics,
    genes,
    hardware: o.accel ? { space: o.accel } : null,
    async prepare(hws) {
      const todo = hws.map(tableHw).filter((h): h is AccelConfig | string => h !== null);
      if (accelMetrics.length > 0) await o.tables.prepare(todo);
    },
    exactCost(g, rows, hw) {
      const cols = costMetrics.map(() => new Float64Array(rows));
      const th = tableHw(hw);
      const table = accelMetrics.length > 0 && th !== null ? o.tables.get(th) : null;
      for (let r = 0; r < rows; r++) {
        const row = g.subarray(r * G, (r + 1) * G);
        if (table) {
          const c = table.costOfGenome(row) as unknown as Record<string, number>;
          accelMetrics.forEach((m, k) => ((cols[k] as Float64Array)[r] = c[m] as number));
        }
        if (counters.length > 0) {
          const choices = Array.from(row);
          counters.forEach((m, k) => ((cols[accelMetrics.length + k] as Float64Array)[r] = costOfChoices(counterTables.get(m) as CostTable, choices) / (COUNTER_TABLES[m] as { scale: number }).scale));
        }
      }
      return cols;
    },
    async screen(hws, nets) {
      const archs = nets.map((g) => fromGenome(cfg, g));
      const hwFigures = accelMetrics.length > 0 ? await o.tables.screen(hws as unknown as AccelConfig[], archs) : hws.map(() => archs.map(() => ({})));
      return hwFigures.map((perNet) => [
        ...accelMetrics.map((m) => Float64Array.from(perNet, (f) => (f as Record<string, number>)[m] as number)),
        ...counters.map((m) => Float64Array.from(nets, (g) => costOfChoices(counterTables.get(m) as CostTable, [...g]) / (COUNTER_TABLES[m] as { scale: number }).scale)),
      ]);
    },
    candidate(g, hw) {
      const arch = fromGenome(cfg, g) as unknown as JsonObject;
      return o.accel ? ({ arch, hw: hw as JsonObject } as Joint<JsonObject, JsonObject>) : arch;
    },
    parts(x) {
      if (o.accel) {
        const j = x as unknown as Joint<JsonObject, JsonObject>;
        return { genes: toGenome(cfg, o.space.validate(j.arch) as MbconvArch), hw: j.hw };
      }
      return { genes: toGenome(cfg, o.space.validate(x) as MbconvArch), hw: null };
    },
    // the size feature (last column) may be the GP's mean function: far from the verified codes it reverts to the size trend
    predictor: (x, rows, cols, y) => fitGpPredictor(x, rows, cols, y, { trend: cols - 1 }),
  };
}

/** The compiled table's figures for a verified candidate, when its accelerator's table is compiled (bit-identical to the estimator). */
export function compiledCost(tables: AcceleratorTables, space: MbconvSpace, arch: MbconvArch, hw: AccelConfig | string): Record<string, number> | null {
  const t = tables.find(hw);
  return t ? { ...t.costOfGenome(toGenome(space.config, arch)) } : null;
}
