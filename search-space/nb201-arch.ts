/**
 * NAS-Bench-201 cell architectures (Dong & Yang, ICLR 2020): a 4-node DAG whose 6 edges each carry
 * one of 5 ops. Arch JSON: `{ "ops": [e0, …, e5] }` with the edges in the benchmark's string order
 *   e0: 0→1 | e1: 0→2, e2: 1→2 | e3: 0→3, e4: 1→3, e5: 2→3
 * i.e. the string `|e0~0|+|e1~0|e2~1|+|e3~0|e4~1|e5~2|`.
 * Isomorphic cells (different strings computing the same function) stay distinct, as in the
 * benchmark, which lists all 15,625 strings with their own accuracies.
 */
import { InvalidArchError } from '../core/errors.ts';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];
export type Nb201Arch = { readonly ops: readonly Nb201Op[] };

/** Edge i goes from node `from` to node `to`. */
export const NB201_EDGES: readonly { readonly from: number; readonly to: number }[] = [
  { from: 0, to: 1 },
  { from: 0, to: 2 },
  { from: 1, to: 2 },
  { from: 0, to: 3 },
  { from: 1, to: 3 },
  { from: 2, to: 3 },
];
export const NB201_NUM_EDGES = NB201_EDGES.length;
export const NB201_SIZE = NB201_OPS.length ** NB201_NUM_EDGES;

export function validateNb201(x: unknown): Nb201Arch {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new InvalidArchError('arch', x, 'must be an object');
  const rec = x as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (k !== 'ops') throw new InvalidArchError(k, rec[k], 'is not a field of an nb201 arch');
  const ops = rec.ops;
  if (!Array.isArray(ops) || ops.length !== NB201_NUM_EDGES) {
    throw new InvalidArchError('ops', ops, `must be an array of ${NB201_NUM_EDGES} op names`);
  }
  ops.forEach((op: unknown, i) => {
    if (!(NB201_OPS as readonly unknown[]).includes(op)) {
      throw new InvalidArchError(`ops[${i}]`, op, `must be one of ${NB201_OPS.join(', ')}`);
    }
  });
  return x as Nb201Arch;
}

/** Benchmark string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|`. */
export function formatNb201String(x: Nb201Arch): string {
  const nodes: string[] = [];
  NB201_EDGES.forEach((e, i) => {
    const part = `${x.ops[i]}~${e.from}`;
    nodes[e.to - 1] = nodes[e.to - 1] === undefined ? part : `${nodes[e.to - 1]}|${part}`;
  });
  return nodes.map((n) => `|${n}|`).join('+');
}

export function parseNb201String(s: string): Nb201Arch {
  const bad = (problem: string): never => {
    throw new InvalidArchError('archString', s, problem);
  };
  if (typeof s !== 'string') bad('must be a string');
  const nodes = s.split('+');
  if (nodes.length !== 3) bad('must have 3 nodes separated by "+"');
  const ops: Nb201Op[] = [];
  nodes.forEach((node, j) => {
    if (!node.startsWith('|') || !node.endsWith('|') || node.length < 2) bad(`node ${j + 1} must be wrapped in "|"`);
    const edges = node.slice(1, -1).split('|');
    if (edges.length !== j + 1) bad(`node ${j + 1} must have ${j + 1} inputs`);
    edges.forEach((edge, from) => {
      const [op, src] = edge.split('~');
      if (src !== String(from)) bad(`input ${from} of node ${j + 1} must read "~${from}"`);
      if (!(NB201_OPS as readonly string[]).includes(op ?? '')) bad(`unknown op "${op}"`);
      ops.push(op as Nb201Op);
    });
  });
  return { ops };
}

/** Base-5 number of the ops (edge 0 most significant): 0 … 15,624. Not the benchmark's index. */
export function nb201Code(x: Nb201Arch): number {
  return x.ops.reduce((code, op) => code * NB201_OPS.length + NB201_OPS.indexOf(op), 0);
}

export function nb201FromCode(code: number): Nb201Arch {
  if (!Number.isInteger(code) || code < 0 || code >= NB201_SIZE) throw new InvalidArchError('code', code, `must be an integer in [0, ${NB201_SIZE})`);
  const ops: Nb201Op[] = [];
  for (let i = 0; i < NB201_NUM_EDGES; i++) {
    ops.unshift(NB201_OPS[code % NB201_OPS.length] as Nb201Op);
    code = Math.floor(code / NB201_OPS.length);
  }
  return { ops };
}
