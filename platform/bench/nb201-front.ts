/**
 * The exhaustive ground truth of a NAS-Bench-201 run: (accuracy, latency, energy) of every cell on
 * every hardware config of the run (15,625 × K points), its exact Pareto front, and the hypervolume
 * ratio of any set of found points against that front. Objectives are scaled to [0, 1] between the
 * exact front's ideal and nadir points (accuracy flipped to minimisation), the usual normalisation
 * for hypervolume comparisons, with the reference point at 1.1 in each: points beyond the nadir add
 * almost nothing. Scaling over all points instead lets a handful of extreme cells fill most of the
 * volume (random search then scores ≈ 0.98 at 150 queries). Ratios are comparable across strategies
 * and seeds of the same run.
 */
import { ConfigError } from '../../core/errors.ts';
import type { Metrics } from '../../core/types.ts';
import { hypervolume, paretoFrontIndices } from '../../core/pareto.ts';
import type { Point } from '../../core/pareto.ts';
import type { ObjectiveSpec } from '../../strategies/objectives.ts';

export interface HwCost {
  readonly latency: number;
  readonly energy: number;
}

export const NB201_OBJECTIVES: readonly ObjectiveSpec[] = [
  { name: 'accuracy', direction: 'max' },
  { name: 'latency', direction: 'min' },
  { name: 'energy', direction: 'min' },
];

const REF = 1.1;

export class Nb201Universe {
  /** Metrics of point `cell * K + config`. */
  readonly metrics: readonly Metrics[];
  /** Indices (into `metrics`) of the exact Pareto front, duplicates kept. */
  readonly front: readonly number[];
  /** Hypervolume of the exact front in the scaled space. */
  readonly frontVolume: number;
  private readonly lo: number[];
  private readonly hi: number[];
  private frontKeys: Set<string> | undefined;

  /**
   * @param accuracy accuracy of each cell (length = number of cells)
   * @param costs per hardware config, the cost of each cell
   */
  constructor(accuracy: readonly number[], readonly costs: readonly (readonly HwCost[])[]) {
    const short = costs.findIndex((c) => c.length !== accuracy.length);
    if (costs.length === 0 || short >= 0) {
      throw new ConfigError(`costs[${Math.max(0, short)}]`, costs[short]?.length ?? 0, `every hardware config needs one cost per cell (${accuracy.length})`);
    }
    this.metrics = accuracy.flatMap((acc, i) => costs.map((c) => {
      const hc = c[i] as HwCost;
      return { accuracy: acc, latency: hc.latency, energy: hc.energy };
    }));
    // Dominance on the raw values: scaling can round ulp-apart values together and keep extra ties.
    this.front = paretoFrontIndices(this.metrics.map((m) => NB201_OBJECTIVES.map((o) => (o.direction === 'max' ? -1 : 1) * (m[o.name] as number))));
    const col = (name: string) => this.front.map((i) => (this.metrics[i] as Metrics)[name] as number);
    this.lo = NB201_OBJECTIVES.map((o) => col(o.name).reduce((a, b) => Math.min(a, b), Infinity));
    this.hi = NB201_OBJECTIVES.map((o) => col(o.name).reduce((a, b) => Math.max(a, b), -Infinity));
    const all = this.metrics.map((m) => this.scale(m));
    this.frontVolume = this.volume(this.front.map((i) => all[i] as Point));
  }

  /**
   * Share of the exact front's distinct (accuracy, latency, energy) vectors among the points with
   * these indices: stricter than the hypervolume ratio, which a few extreme points nearly fill.
   */
  frontRecall(found: Iterable<number>): number {
    const key = (i: number) => NB201_OBJECTIVES.map((o) => (this.metrics[i] as Metrics)[o.name]).join(',');
    this.frontKeys ??= new Set(this.front.map(key));
    const hit = new Set<string>();
    for (const i of found) {
      const k = key(i);
      if (this.frontKeys.has(k)) hit.add(k);
    }
    return hit.size / this.frontKeys.size;
  }

  get configs(): number {
    return this.costs.length;
  }

  /** Minimisation coordinates, [0, 1] on the exact front (accuracy flipped; off-front points may exceed 1). */
  scale(m: Metrics): Point {
    return NB201_OBJECTIVES.map((o, k) => {
      const lo = this.lo[k] as number;
      const t = ((m[o.name] as number) - lo) / ((this.hi[k] as number) - lo || 1);
      return o.direction === 'max' ? 1 - t : t;
    });
  }

  private volume(points: readonly Point[]): number {
    return hypervolume(points, NB201_OBJECTIVES.map(() => REF));
  }

  /** Hypervolume of `found` (its own front) over the exact front's: 1 when the front is found. */
  hypervolumeRatio(found: readonly Metrics[]): number {
    const pts = found.map((m) => this.scale(m));
    return this.volume(paretoFrontIndices(pts).map((i) => pts[i] as Point)) / this.frontVolume;
  }
}
