/**
 * A surrogate port for spaces of plain categorical choices, every one of which always counts (the
 * NAS-Bench-201 cell, test fixtures): one-hot features over all genes, exact costs from a function
 * of (genes, hardware option), and optionally a fixed list of hardware options (a ChoiceSpace) the
 * candidates carry. The mbconv port (platform/surrogate-port.ts) differs in inactive genes and
 * compiled accelerator tables.
 */
import type { ChoiceSpace } from '../../core/space/choice-space.ts';
import type { JsonObject } from '../../core/types.ts';
import type { PredictorFactory, SurrogatePort } from './port.ts';

export interface CategoricalPortSpec<T extends JsonObject> {
  readonly arity: readonly number[];
  readonly largest: readonly number[];
  readonly smallest: readonly number[];
  readonly predicted: string;
  readonly costMetrics: readonly string[];
  /** Exact costs (costMetrics order) of a genome on hardware option `hw` (0 without hardware). */
  cost(genes: ArrayLike<number>, hw: number): readonly number[];
  /** The hardware options candidates carry, or none. */
  readonly hardware?: ChoiceSpace;
  /** The candidate value of a genome and hardware option (null without hardware), and back. */
  toValue(genes: readonly number[], hw: JsonObject | null): T;
  fromValue(x: T): { genes: number[]; hw: JsonObject | null };
  readonly predictor: PredictorFactory;
}

export function categoricalPort<T extends JsonObject>(spec: CategoricalPortSpec<T>): SurrogatePort<T> {
  const G = spec.arity.length;
  const offsets = spec.arity.map((_, g) => spec.arity.slice(0, g).reduce((s, a) => s + a, 0));
  const F = spec.arity.reduce((s, a) => s + a, 0);
  const all = spec.arity.map(() => true);
  const hwIndex = (hw: JsonObject | null) => (spec.hardware && hw ? spec.hardware.indexOf(hw as never) : 0);
  return {
    predicted: spec.predicted,
    costMetrics: spec.costMetrics,
    genes: {
      arity: spec.arity,
      active: () => all,
      largest: spec.largest,
      smallest: spec.smallest,
      featureLength: F,
      features(genes, rows) {
        const out = new Float32Array(rows * F);
        for (let r = 0; r < rows; r++) for (let g = 0; g < G; g++) out[r * F + (offsets[g] as number) + (genes[r * G + g] as number)] = 1;
        return out;
      },
    },
    hardware: spec.hardware ? { space: spec.hardware as never } : null,
    prepare: async () => {},
    exactCost(genes, rows, hw) {
      const cols = spec.costMetrics.map(() => new Float64Array(rows));
      const h = hwIndex(hw);
      for (let r = 0; r < rows; r++) {
        const c = spec.cost(genes.subarray(r * G, (r + 1) * G), h);
        c.forEach((v, k) => ((cols[k] as Float64Array)[r] = v));
      }
      return cols;
    },
    async screen(hws, genes) {
      const flat = Int32Array.from(genes.flat());
      return hws.map((hw) => {
        const h = hwIndex(hw);
        return spec.costMetrics.map((_, k) => Float64Array.from(genes, (_g, r) => spec.cost(flat.subarray(r * G, (r + 1) * G), h)[k] as number));
      });
    },
    candidate: (genes, hw) => spec.toValue(genes, hw),
    parts: (x) => spec.fromValue(x),
    predictor: spec.predictor,
  };
}
