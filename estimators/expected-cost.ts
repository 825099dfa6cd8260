/**
 * Exact expected cost of a network drawn from independent categorical decisions, and its gradient.
 *
 * An additive cost (LUT latency, accelerator latency or energy, MACs) is a sum of terms, each a
 * function of a few decisions only (a block's latency depends on resolution, its stage's depth and
 * widths, its kernel and expand ratio). Under independent choices E[cost] = Σ_terms Σ_assignments
 * Π_g p_g(a_g) · table(a): a multilinear polynomial of the probabilities, so value and gradient are
 * exact (ProxylessNAS's E[latency] = Σ p·F(o), Cai et al. 2019, arXiv:1812.00332, generalised to
 * terms spanning several decisions — kernel × expand interactions stay exact).
 * Plain float64 arithmetic: strategies get this through an injected interface, without tensors.
 */
import { ConfigError } from '../core/errors.ts';

export interface CostTerm {
  /** Decision indices the term depends on. */
  readonly groups: readonly number[];
  /** Cost per assignment, row-major over `groups` (last group fastest). */
  readonly table: Float64Array;
}

export interface CostTable {
  /** Name and unit of the metric, e.g. 'latency_ms'. */
  readonly metric: string;
  /** Choices per decision. */
  readonly arity: readonly number[];
  readonly terms: readonly CostTerm[];
}

export interface ExpectedCost {
  readonly value: number;
  /** ∂E/∂p[g][i]. */
  readonly grad: number[][];
}

function termSize(t: CostTerm, arity: readonly number[]): number {
  return t.groups.reduce((n, g) => n * (arity[g] as number), 1);
}

export function checkCostTable(t: CostTable): CostTable {
  t.terms.forEach((term, i) => {
    for (const g of term.groups) if (!(g >= 0 && g < t.arity.length)) throw new ConfigError(`${t.metric}.terms[${i}].groups`, g, `must index one of ${t.arity.length} decisions`);
    const n = termSize(term, t.arity);
    if (term.table.length !== n) throw new ConfigError(`${t.metric}.terms[${i}].table`, term.table.length, `expected ${n} entries`);
  });
  return t;
}

function checkProbs(t: CostTable, probs: readonly (readonly number[])[]): void {
  if (probs.length !== t.arity.length) throw new ConfigError('probs', probs.length, `expected one distribution per decision (${t.arity.length})`);
  probs.forEach((p, g) => {
    if (p.length !== t.arity[g]) throw new ConfigError(`probs[${g}]`, p.length, `expected ${t.arity[g]} probabilities`);
  });
}

/** E[cost] and ∂E/∂p under independent decisions with probabilities `probs[g][choice]`. */
export function expectedCost(t: CostTable, probs: readonly (readonly number[])[]): ExpectedCost {
  checkProbs(t, probs);
  const grad = probs.map((p) => new Array<number>(p.length).fill(0));
  let value = 0;
  for (const term of t.terms) {
    const k = term.groups.length;
    const sizes = term.groups.map((g) => t.arity[g] as number);
    const ps = term.groups.map((g) => probs[g] as readonly number[]);
    const gs = term.groups.map((g) => grad[g] as number[]);
    const idx = new Array<number>(k).fill(0);
    const pre = new Float64Array(k + 1);
    for (let e = 0; e < term.table.length; e++) {
      const c = term.table[e] as number;
      if (c !== 0) {
        pre[0] = 1;
        for (let i = 0; i < k; i++) pre[i + 1] = (pre[i] as number) * ((ps[i] as readonly number[])[idx[i] as number] as number);
        value += c * (pre[k] as number);
        let suf = 1;
        for (let i = k - 1; i >= 0; i--) {
          const gi = gs[i] as number[];
          gi[idx[i] as number] = (gi[idx[i] as number] as number) + c * (pre[i] as number) * suf;
          suf *= (ps[i] as readonly number[])[idx[i] as number] as number;
        }
      }
      for (let i = k - 1; i >= 0; i--) {
        idx[i] = (idx[i] as number) + 1;
        if (idx[i] as number < (sizes[i] as number)) break;
        idx[i] = 0;
      }
    }
  }
  return { value, grad };
}

/** The cost of one discrete choice vector (the tables' sum at that assignment). */
export function costOfChoices(t: CostTable, choices: readonly number[]): number {
  if (choices.length !== t.arity.length) throw new ConfigError('choices', choices.length, `expected ${t.arity.length} decisions`);
  let total = 0;
  for (const term of t.terms) {
    let at = 0;
    for (const g of term.groups) {
      const c = choices[g] as number;
      if (!(Number.isInteger(c) && c >= 0 && c < (t.arity[g] as number))) throw new ConfigError(`choices[${g}]`, c, `must be a choice index below ${t.arity[g]}`);
      at = at * (t.arity[g] as number) + c;
    }
    total += term.table[at] as number;
  }
  return total;
}
