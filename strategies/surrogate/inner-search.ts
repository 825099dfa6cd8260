/**
 * The surrogate round's inner search: NSGA-II (Deb et al., IEEE TEC 2002) over integer genomes —
 * the network's genes plus one gene "which accelerator of the pool" — on predicted accuracy and
 * exact cost. It runs tens of thousands of candidates per round, so it works on typed arrays, not
 * on the JSON values and string keys the ask/tell strategies use (strategies/nsga2.ts does the
 * same algorithm at ~170 µs a candidate; this loop spends ~2 µs besides the evaluation).
 * Duplicates (same active genes and accelerator) are dropped before selection.
 */
import type { Rng } from '../../core/rng.ts';
import { crowdingDistance, nonDominatedSortBy } from '../../core/pareto.ts';

export interface InnerProblem {
  /** Choices per network gene. */
  readonly arity: readonly number[];
  /** Accelerators in the pool (1 when candidates carry none). */
  readonly poolSize: number;
  active(genes: ArrayLike<number>): readonly boolean[];
  /**
   * Objective vectors to minimise (rows × m, row-major) and constraint violations of `rows`
   * genomes (rows × genes) on pool members `pool`.
   */
  evaluate(genes: Int32Array, pool: Int32Array, rows: number): { values: Float64Array; violation: Float64Array };
  readonly objectives: number;
}

export interface InnerOptions {
  readonly population: number;
  readonly generations: number;
  readonly crossoverProb: number;
  /** Per network gene. */
  readonly mutationProb: number;
  /** Probability that a child moves to another accelerator of the pool. */
  readonly hwMutationProb: number;
}

export interface Member {
  readonly genes: number[];
  readonly pool: number;
  readonly values: number[];
  readonly violation: number;
  readonly rank: number;
}

export interface InnerResult {
  /** The final population, best rank first. */
  readonly members: readonly Member[];
  readonly evaluations: number;
}

/** Identity of a genome: its active genes and its accelerator (one char per gene: cheap to build and hash). */
export function memberKey(genes: ArrayLike<number>, active: readonly boolean[], pool: number): string {
  const codes = new Array<number>(active.length + 1);
  codes[0] = pool + 2;
  for (let i = 0; i < active.length; i++) codes[i + 1] = active[i] ? (genes[i] as number) + 1 : 0;
  return String.fromCharCode(...codes);
}

interface Pop {
  genes: Int32Array;
  pool: Int32Array;
  values: Float64Array;
  violation: Float64Array;
  rank: Int32Array;
  crowd: Float64Array;
  keys: string[];
  size: number;
}

export function innerNsga2(problem: InnerProblem, seeds: readonly { genes: readonly number[]; pool: number }[], opts: InnerOptions, rng: Rng): InnerResult {
  const G = problem.arity.length;
  const M = problem.objectives;
  const P = opts.population;
  let evaluations = 0;

  const evaluate = (genes: Int32Array, pool: Int32Array, rows: number) => {
    evaluations += rows;
    return problem.evaluate(genes, pool, rows);
  };
  const randomGene = (g: number) => rng.int(problem.arity[g] as number);

  // Initial population: the seeds (verified front, extremes), then random genomes; no duplicates.
  const init = { genes: new Int32Array(P * G), pool: new Int32Array(P), keys: [] as string[] };
  const seen = new Set<string>();
  const push = (genes: ArrayLike<number>, pool: number): boolean => {
    const k = memberKey(genes, problem.active(genes), pool);
    if (seen.has(k) || init.keys.length >= P) return false;
    seen.add(k);
    init.genes.set(Array.from({ length: G }, (_, g) => genes[g] as number), init.keys.length * G);
    init.pool[init.keys.length] = pool;
    init.keys.push(k);
    return true;
  };
  for (const s of seeds) push(s.genes, s.pool);
  for (let tries = 0; init.keys.length < P && tries < 100 * P; tries++) push(Array.from({ length: G }, (_, g) => randomGene(g)), rng.int(problem.poolSize));
  const n0 = init.keys.length;
  const e0 = evaluate(init.genes.subarray(0, n0 * G), init.pool.subarray(0, n0), n0);
  let pop: Pop = { genes: init.genes.slice(0, n0 * G), pool: init.pool.slice(0, n0), values: e0.values, violation: e0.violation, rank: new Int32Array(n0), crowd: new Float64Array(n0), keys: init.keys, size: n0 };
  pop = select(pop, P, G, M);

  const child = new Int32Array(G);
  for (let gen = 0; gen < opts.generations; gen++) {
    const kids = { genes: new Int32Array(P * G), pool: new Int32Array(P), keys: [] as string[] };
    const inPop = new Set(pop.keys);
    for (let c = 0; c < P; c++) {
      const a = tournament(pop, rng);
      const b = rng.bool(opts.crossoverProb) ? tournament(pop, rng) : a;
      for (let g = 0; g < G; g++) child[g] = pop.genes[(rng.bool() ? a : b) * G + g] as number;
      let hw = pop.pool[rng.bool() ? a : b] as number;
      for (let g = 0; g < G; g++) if ((problem.arity[g] as number) > 1 && rng.next() < opts.mutationProb) child[g] = ((child[g] as number) + 1 + rng.int((problem.arity[g] as number) - 1)) % (problem.arity[g] as number);
      if (problem.poolSize > 1 && rng.next() < opts.hwMutationProb) hw = (hw + 1 + rng.int(problem.poolSize - 1)) % problem.poolSize;
      let active = problem.active(child);
      let key = memberKey(child, active, hw);
      // A child equal to a member changes one active gene, so no evaluation is spent on a copy.
      for (let tries = 0; inPop.has(key) && tries < 8; tries++) {
        const movable = active.flatMap((on, g) => (on && (problem.arity[g] as number) > 1 ? [g] : []));
        if (movable.length === 0) break;
        const g = movable[rng.int(movable.length)] as number;
        child[g] = ((child[g] as number) + 1 + rng.int((problem.arity[g] as number) - 1)) % (problem.arity[g] as number);
        active = problem.active(child);
        key = memberKey(child, active, hw);
      }
      kids.genes.set(child, c * G);
      kids.pool[c] = hw;
      kids.keys.push(key);
    }
    const e = evaluate(kids.genes, kids.pool, P);
    pop = select(merge(pop, { ...kids, values: e.values, violation: e.violation, size: P }, G, M), P, G, M);
  }
  const members: Member[] = [];
  for (let i = 0; i < pop.size; i++) {
    members.push({
      genes: Array.from(pop.genes.subarray(i * G, (i + 1) * G)), pool: pop.pool[i] as number,
      values: Array.from(pop.values.subarray(i * M, (i + 1) * M)), violation: pop.violation[i] as number, rank: pop.rank[i] as number,
    });
  }
  members.sort((x, y) => x.rank - y.rank);
  return { members, evaluations };
}

/** Binary tournament on (rank, crowding); ties keep the first drawn. */
function tournament(pop: Pop, rng: Rng): number {
  const a = rng.int(pop.size);
  const b = rng.int(pop.size);
  if (pop.rank[a] !== pop.rank[b]) return (pop.rank[a] as number) < (pop.rank[b] as number) ? a : b;
  return (pop.crowd[b] as number) > (pop.crowd[a] as number) ? b : a;
}

function merge(a: Pop, b: Omit<Pop, 'rank' | 'crowd'>, G: number, M: number): Pop {
  // Children equal to a parent (or to an earlier child) are dropped.
  const seen = new Set(a.keys);
  const keep: number[] = [];
  b.keys.forEach((k, i) => {
    if (!seen.has(k)) {
      seen.add(k);
      keep.push(i);
    }
  });
  const n = a.size + keep.length;
  const out: Pop = { genes: new Int32Array(n * G), pool: new Int32Array(n), values: new Float64Array(n * M), violation: new Float64Array(n), rank: new Int32Array(n), crowd: new Float64Array(n), keys: [...a.keys], size: n };
  out.genes.set(a.genes.subarray(0, a.size * G));
  out.pool.set(a.pool.subarray(0, a.size));
  out.values.set(a.values.subarray(0, a.size * M));
  out.violation.set(a.violation.subarray(0, a.size));
  keep.forEach((i, t) => {
    const at = a.size + t;
    out.genes.set(b.genes.subarray(i * G, (i + 1) * G), at * G);
    out.pool[at] = b.pool[i] as number;
    out.values.set(b.values.subarray(i * M, (i + 1) * M), at * M);
    out.violation[at] = b.violation[i] as number;
    out.keys.push(b.keys[i] as string);
  });
  return out;
}

/**
 * Constrained non-dominated fronts for two objectives in O(n log n + n·fronts): feasible points in
 * lexicographic order each join the first front whose last member does not dominate them (in 2-D
 * that member has the front's lowest second objective); infeasible points follow, ranked by
 * violation (equal violations share a rank), as Deb's constraint-domination orders them.
 */
export function constrainedFronts2d(values: Float64Array, violation: Float64Array, n: number): number[][] {
  const feasible: number[] = [];
  const infeasible: number[] = [];
  for (let i = 0; i < n; i++) ((violation[i] as number) === 0 ? feasible : infeasible).push(i);
  feasible.sort((a, b) => (values[2 * a] as number) - (values[2 * b] as number) || (values[2 * a + 1] as number) - (values[2 * b + 1] as number) || a - b);
  const fronts: number[][] = [];
  for (const i of feasible) {
    const x = values[2 * i] as number;
    const y = values[2 * i + 1] as number;
    let k = 0;
    for (; k < fronts.length; k++) {
      const front = fronts[k] as number[];
      const last = front[front.length - 1] as number;
      const lx = values[2 * last] as number;
      const ly = values[2 * last + 1] as number;
      const dominated = ly <= y && (ly < y || lx < x);
      if (!dominated) break;
    }
    if (k === fronts.length) fronts.push([]);
    (fronts[k] as number[]).push(i);
  }
  infeasible.sort((a, b) => (violation[a] as number) - (violation[b] as number) || a - b);
  for (let j = 0; j < infeasible.length;) {
    const v = violation[infeasible[j] as number] as number;
    const group: number[] = [];
    while (j < infeasible.length && violation[infeasible[j] as number] === v) group.push(infeasible[j++] as number);
    fronts.push(group);
  }
  return fronts.map((f) => f.sort((a, b) => a - b));
}

/** Constrained non-dominated sorting and crowding, cut to `P` (NSGA-II environmental selection). */
function select(pop: Pop, P: number, G: number, M: number): Pop {
  const { values, violation } = pop;
  const dom = (i: number, j: number): boolean => {
    const vi = violation[i] as number;
    const vj = violation[j] as number;
    if (vi === 0 && vj > 0) return true;
    if (vi > 0 || vj > 0) return vi > 0 && vj > 0 && vi < vj;
    let strictly = false;
    for (let k = 0; k < M; k++) {
      const x = values[i * M + k] as number;
      const y = values[j * M + k] as number;
      if (x > y) return false;
      if (x < y) strictly = true;
    }
    return strictly;
  };
  const fronts = M === 2 ? constrainedFronts2d(values, violation, pop.size) : nonDominatedSortBy(pop.size, dom);
  const points = Array.from({ length: pop.size }, (_, i) => Array.from(values.subarray(i * M, (i + 1) * M)));
  const chosen: { idx: number; rank: number; crowd: number }[] = [];
  for (const [rank, front] of fronts.entries()) {
    if (chosen.length >= P) break;
    const crowd = crowdingDistance(points, front);
    const members = front.map((idx, t) => ({ idx, rank, crowd: crowd[t] as number }));
    if (chosen.length + members.length > P) members.sort((x, y) => y.crowd - x.crowd || x.idx - y.idx);
    chosen.push(...members.slice(0, P - chosen.length));
  }
  const n = chosen.length;
  const out: Pop = { genes: new Int32Array(n * G), pool: new Int32Array(n), values: new Float64Array(n * M), violation: new Float64Array(n), rank: new Int32Array(n), crowd: new Float64Array(n), keys: [], size: n };
  chosen.forEach((c, t) => {
    out.genes.set(pop.genes.subarray(c.idx * G, (c.idx + 1) * G), t * G);
    out.pool[t] = pop.pool[c.idx] as number;
    out.values.set(values.subarray(c.idx * M, (c.idx + 1) * M), t * M);
    out.violation[t] = violation[c.idx] as number;
    out.rank[t] = c.rank;
    out.crowd[t] = c.crowd;
    out.keys.push(pop.keys[c.idx] as string);
  });
  return out;
}
