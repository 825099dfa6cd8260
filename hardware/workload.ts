/**
 * Workload IR: a loop nest over named dimensions plus, per tensor (data space), a projection from
 * loop indices to data coordinates. This is Timeloop's problem-shape model, so a conv2d layer
 * (7-D N·M·C·P·Q·R·S, plus G for grouped convs) and a tutorial conv1d (R, P only) are the same
 * structure and the cost model never special-cases dimension names.
 */
import { HardwareError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';

/** One term of a data coordinate: coefficient × loop index of dimension `dim` (index into dims). */
export interface ProjectionTerm {
  readonly dim: number;
  readonly coef: number;
}

export interface DataSpace {
  readonly name: string;
  /** One entry per data coordinate; each is a sum of terms (e.g. W = stride·P + dilation·R). */
  readonly projection: readonly (readonly ProjectionTerm[])[];
  /** Outputs (partial sums) are read-modify-write. */
  readonly readWrite: boolean;
  readonly bits: number;
  /** Fraction of nonzero values (default 1): run-length coding at a level that codes it saves the zeros. */
  readonly density?: number;
}

export interface Problem {
  readonly name: string;
  readonly dims: readonly string[];
  readonly bounds: readonly number[];
  readonly dataSpaces: readonly DataSpace[];
  /** 'pool' nests read and write like a depthwise conv but perform compares, not MACs. */
  readonly op: 'mac' | 'pool';
}

/** Number of compute operations of a problem (product of all bounds). */
export function problemOps(p: Problem): number {
  let n = 1;
  for (const b of p.bounds) n *= b;
  return n;
}

/** relevant[t][d]: does dimension d appear in tensor t's projection. */
export function relevance(p: Problem): boolean[][] {
  return p.dataSpaces.map((ds) => {
    const r = new Array<boolean>(p.dims.length).fill(false);
    for (const coord of ds.projection) for (const term of coord) r[term.dim] = true;
    return r;
  });
}

/** Size of a tensor's data space: box volume of its projection over the full bounds. */
export function dataSpaceSize(p: Problem, t: number): number {
  const ds = p.dataSpaces[t];
  if (!ds) throw new HardwareError(`data space index ${t} out of range`, { field: 'dataSpace', value: t });
  let v = 1;
  for (const coord of ds.projection) {
    let e = 1;
    for (const term of coord) e += term.coef * ((p.bounds[term.dim] ?? 1) - 1);
    v *= e;
  }
  return v;
}

export function dimIndex(p: Problem, name: string): number {
  const i = p.dims.indexOf(name);
  if (i < 0) throw new HardwareError(`unknown problem dimension "${name}" (dims: ${p.dims.join(',')})`, { field: 'dim', value: name });
  return i;
}

export function validateProblem(p: Problem): void {
  if (p.dims.length !== p.bounds.length) {
    throw new HardwareError(`problem ${p.name}: ${p.dims.length} dims but ${p.bounds.length} bounds`, { field: 'bounds', value: p.bounds });
  }
  p.bounds.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1) {
      throw new HardwareError(`problem ${p.name}: bound of ${p.dims[i]} must be a positive integer`, { field: `bounds.${p.dims[i]}`, value: b });
    }
  });
  for (const ds of p.dataSpaces) {
    for (const coord of ds.projection) {
      for (const term of coord) {
        if (term.dim < 0 || term.dim >= p.dims.length || !(term.coef > 0)) {
          throw new HardwareError(`problem ${p.name}: bad projection term in ${ds.name}`, { field: `dataSpaces.${ds.name}`, value: term });
        }
      }
    }
  }
}

/** Conv-family dimension order used by `fromLayer` (Timeloop's names; G = groups). */
export const CONV_DIMS = ['N', 'G', 'M', 'C', 'P', 'Q', 'R', 'S'] as const;

/**
 * Workload of one network layer. Grouped and depthwise convs get a G dimension with per-group
 * M and C (depthwise: M = C = 1 per group), so weights, inputs and outputs all carry G and the
 * access counts need no special case. FC is a 1×1 conv on a 1×1 map; pooling is a depthwise
 * nest whose ops are compares.
 */
export function fromLayer(l: LayerSpec, dilation = 1): Problem {
  const g = l.kind === 'depthwise' || l.kind === 'pool' ? l.c : l.groups;
  if (!Number.isInteger(g) || g < 1 || l.c % g !== 0 || (l.kind !== 'pool' && l.m % g !== 0)) {
    throw new HardwareError(`layer ${l.name}: groups ${g} must divide c=${l.c} and m=${l.m}`, { field: 'groups', value: g });
  }
  const fc = l.kind === 'fc';
  const bounds = [
    l.n, g,
    l.kind === 'pool' ? 1 : l.m / g,
    l.c / g,
    fc ? 1 : l.p, fc ? 1 : l.q,
    fc ? 1 : l.r, fc ? 1 : l.s,
  ];
  const [N, G, M, C, P, Q, R, S] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
  const t = (dim: number, coef = 1): ProjectionTerm => ({ dim, coef });
  const p: Problem = {
    name: l.name,
    dims: CONV_DIMS,
    bounds,
    op: l.kind === 'pool' ? 'pool' : 'mac',
    dataSpaces: [
      { name: 'Weights', readWrite: false, bits: l.bits.weights, projection: [[t(G)], [t(M)], [t(C)], [t(R)], [t(S)]] },
      {
        name: 'Inputs', readWrite: false, bits: l.bits.inputs, ...(l.density?.inputs !== undefined ? { density: l.density.inputs } : {}),
        projection: [[t(N)], [t(G)], [t(C)], [t(R, dilation), t(P, l.stride)], [t(S, dilation), t(Q, l.stride)]],
      },
      { name: 'Outputs', readWrite: true, bits: l.bits.outputs, ...(l.density?.outputs !== undefined ? { density: l.density.outputs } : {}), projection: [[t(N)], [t(G)], [t(M)], [t(P)], [t(Q)]] },
    ],
  };
  validateProblem(p);
  return p;
}

/** Canonical key of a problem (cache key component): shape, bounds and bits, not the name. */
export function problemKey(p: Problem): string {
  const ds = p.dataSpaces
    .map((d) => `${d.name}:${d.bits}:${d.density ?? 1}:${d.readWrite ? 'rw' : 'r'}:${d.projection.map((c) => c.map((t) => `${t.coef}*${p.dims[t.dim]}`).join('+')).join(',')}`)
    .join(';');
  return `${p.op}|${p.dims.map((d, i) => `${d}=${p.bounds[i]}`).join(',')}|${ds}`;
}
