/**
 * Pareto utilities over minimisation vectors: dominance, fast non-dominated sorting, crowding
 * distance and exact hypervolume (2-D by a sweep, 3-D by slicing along the third axis and summing
 * 2-D areas; any dimension by the same recursion, exponential but fine for small fronts).
 * Non-dominated sorting and crowding follow Deb et al., "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II", IEEE TEC 2002.
 */

export type Point = readonly number[];

/** `a` is no worse in every coordinate and strictly better in one. */
export function dominates(a: Point, b: Point): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/**
 * Fronts of indices (front 0 = non-dominated). `dom(i, j)` says whether point i dominates j, so the
 * same sort serves plain and constraint-domination. Indices inside a front keep ascending order.
 */
export function nonDominatedSortBy(n: number, dom: (i: number, j: number) => boolean): number[][] {
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dom(i, j)) {
        (dominatedBy[i] as number[]).push(j);
        count[j] = (count[j] as number) + 1;
      } else if (dom(j, i)) {
        (dominatedBy[j] as number[]).push(i);
        count[i] = (count[i] as number) + 1;
      }
    }
  }
  const fronts: number[][] = [];
  let current = count.flatMap((c, i) => (c === 0 ? [i] : []));
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominatedBy[i] as number[]) {
        count[j] = (count[j] as number) - 1;
        if (count[j] === 0) next.push(j);
      }
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

export function nonDominatedSort(points: readonly Point[]): number[][] {
  return nonDominatedSortBy(points.length, (i, j) => dominates(points[i] as Point, points[j] as Point));
}

/**
 * Indices of the non-dominated points (duplicates all kept), ascending. In lexicographic order no
 * point can dominate an earlier one, so each point is checked only against the front so far:
 * O(n log n + n·|front|), which keeps exhaustive fronts over whole benchmark tables cheap.
 */
export function paretoFrontIndices(points: readonly Point[]): number[] {
  const order = points.map((_, i) => i).sort((a, b) => {
    const p = points[a] as Point;
    const q = points[b] as Point;
    for (let k = 0; k < p.length; k++) if (p[k] !== q[k]) return (p[k] as number) - (q[k] as number);
    return a - b;
  });
  const front: number[] = [];
  for (const i of order) {
    const p = points[i] as Point;
    if (!front.some((j) => dominates(points[j] as Point, p))) front.push(i);
  }
  return front.sort((a, b) => a - b);
}

/**
 * Crowding distance of each member of `front` (indices into `points`), in the same order.
 * Boundary points get Infinity; each objective's gap is normalised by that objective's range.
 */
export function crowdingDistance(points: readonly Point[], front: readonly number[]): number[] {
  const dist = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length <= 2) return front.map(() => Infinity);
  const m = (points[front[0] as number] as Point).length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => ((points[a] as Point)[k] as number) - ((points[b] as Point)[k] as number) || a - b);
    const lo = (points[sorted[0] as number] as Point)[k] as number;
    const hi = (points[sorted[sorted.length - 1] as number] as Point)[k] as number;
    dist.set(sorted[0] as number, Infinity);
    dist.set(sorted[sorted.length - 1] as number, Infinity);
    if (hi === lo) continue;
    for (let t = 1; t < sorted.length - 1; t++) {
      const i = sorted[t] as number;
      const gap = ((points[sorted[t + 1] as number] as Point)[k] as number) - ((points[sorted[t - 1] as number] as Point)[k] as number);
      dist.set(i, (dist.get(i) as number) + gap / (hi - lo));
    }
  }
  return front.map((i) => dist.get(i) as number);
}

/** Points strictly better than `ref` in every coordinate (only they add volume). */
function inside(points: readonly Point[], ref: Point): Point[] {
  return points.filter((p) => p.every((v, i) => v < (ref[i] as number)));
}

/** Exact 2-D hypervolume dominated by `points` and bounded by `ref` (minimisation). */
export function hypervolume2d(points: readonly Point[], ref: Point): number {
  const pts = inside(points, ref).sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let area = 0;
  let bestY = ref[1] as number;
  for (const p of pts) {
    const y = p[1] as number;
    if (y < bestY) {
      area += ((ref[0] as number) - (p[0] as number)) * (bestY - y);
      bestY = y;
    }
  }
  return area;
}

/**
 * Exact hypervolume in any dimension by slicing along the last axis: between consecutive distinct
 * values of that axis, the dominated region is the (d-1)-D volume of the points at or below it.
 * 3-D costs O(n² log n), which suits fronts of a few thousand points.
 */
export function hypervolume(points: readonly Point[], ref: Point): number {
  const d = ref.length;
  const pts = inside(points, ref);
  if (pts.length === 0) return 0;
  if (d === 1) return (ref[0] as number) - Math.min(...pts.map((p) => p[0] as number));
  if (d === 2) return hypervolume2d(pts, ref);
  const sorted = [...pts].sort((a, b) => (a[d - 1] as number) - (b[d - 1] as number));
  const subRef = ref.slice(0, d - 1);
  let volume = 0;
  const active: Point[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as Point;
    active.push(p.slice(0, d - 1));
    const z = p[d - 1] as number;
    const nextZ = i + 1 < sorted.length ? ((sorted[i + 1] as Point)[d - 1] as number) : (ref[d - 1] as number);
    if (nextZ > z) volume += hypervolume(paretoFrontIndices(active).map((j) => active[j] as Point), subRef) * (nextZ - z);
  }
  return volume;
}

export function hypervolume3d(points: readonly Point[], ref: Point): number {
  return hypervolume(points, ref);
}

/**
 * Volume that `p` adds to the region dominated by `front` (all inside `ref`): its own box minus the
 * part the front already covers, which is the hypervolume of the front "limited" by p (each point
 * replaced by its component-wise max with p). The limited set's non-dominated part is usually tiny,
 * so a growing front's hypervolume is tracked exactly and cheaply (While et al., "A fast way of
 * calculating exact hypervolumes", IEEE TEC 2012 — the WFG exclusive-contribution step).
 */
export function exclusiveHypervolume(front: readonly Point[], p: Point, ref: Point): number {
  let box = 1;
  for (let i = 0; i < ref.length; i++) box *= Math.max(0, (ref[i] as number) - (p[i] as number));
  if (box === 0) return 0;
  const limited = front.map((f) => f.map((v, i) => Math.max(v, p[i] as number)));
  const seen = new Set<string>();
  const nd = paretoFrontIndices(limited)
    .map((i) => limited[i] as Point)
    .filter((q) => {
      const k = q.join(',');
      return seen.has(k) ? false : (seen.add(k), true);
    });
  return box - hypervolume(nd, ref);
}
