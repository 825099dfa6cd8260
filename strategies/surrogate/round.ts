/**
 * One surrogate round: (a) fit the predictor on every verified network (and cross-validate it),
 * (b) run the inner NSGA-II over network × accelerator pool on predicted accuracy + exact cost,
 * (c) pick the batch from the predicted front (acquisition.ts), topping it up with mutations of
 * verified networks when the front offers too few unasked candidates. Pure given its inputs and
 * the Rng: the same verified set and stream give the same batch.
 */
import type { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import { acquire, type AcqCandidate } from './acquisition.ts';
import { crossValidateFit, type FitReport } from './fit-report.ts';
import { innerNsga2, type Member } from './inner-search.ts';
import type { SurrogateOptions } from './options.ts';
import type { SurrogatePort } from './port.ts';
import { RoundProblem, type MetricPlan } from './problem.ts';
import { warped } from './warp.ts';

export interface VerifiedNet {
  /** Network identity (active genes). */
  readonly key: string;
  readonly genes: readonly number[];
  /** Verified value of the predicted metric. */
  readonly y: number;
}

export interface RoundInput {
  readonly port: SurrogatePort;
  readonly plan: MetricPlan;
  readonly options: SurrogateOptions;
  readonly verified: readonly VerifiedNet[];
  /** Objective vectors (to minimise) of the feasible verified trials. */
  readonly points: readonly (readonly number[])[];
  /** Verified networks on the verified Pareto front, most accurate first (their neighbours are candidates). */
  readonly frontNets?: readonly VerifiedNet[];
  readonly pool: readonly (JsonObject | null)[];
  /** Whether this network × pool member was asked before. */
  readonly asked: (genes: readonly number[], pool: number) => boolean;
  readonly n: number;
  readonly round: number;
  readonly rng: Rng;
}

export interface RoundPick {
  readonly genes: number[];
  readonly pool: number;
  readonly mean: number;
  readonly sd: number;
  readonly rule: 'ucb-max' | 'ucb-capped' | 'ucb-hvi' | 'diversity' | 'fill';
  /** The network was verified before (with another accelerator): mean is its verified value. */
  readonly verifiedNetwork: boolean;
}

export interface RoundResult {
  readonly picks: readonly RoundPick[];
  /** Predicted-front members per pool member (the most used breed the pool's children). */
  readonly usage: readonly number[];
  /** Up to 6 distinct networks of the predicted front, spread over it (the most accurate included): where children are screened. */
  readonly frontNets: readonly number[][];
  readonly fit: { readonly trainSize: number; readonly predictor: JsonObject; readonly cv: FitReport | null };
  readonly evaluations: number;
  readonly frontSize: number;
  readonly ms: { readonly fit: number; readonly cv: number; readonly search: number; readonly acquisition: number };
}

/** The networks the predictor trains on: all, or the best half of `max` plus an even spread of the rest. */
export function trainingSet(verified: readonly VerifiedNet[], max: number): VerifiedNet[] {
  if (verified.length <= max) return [...verified];
  const order = verified.map((_, i) => i).sort((a, b) => (verified[b] as VerifiedNet).y - (verified[a] as VerifiedNet).y || a - b);
  const top = order.slice(0, Math.ceil(max / 2));
  const rest = order.slice(top.length);
  const k = max - top.length;
  const spread = Array.from({ length: k }, (_, j) => rest[Math.floor((j * rest.length) / k)] as number);
  return [...top, ...spread].sort((a, b) => a - b).map((i) => verified[i] as VerifiedNet);
}

/** Pool member with the least violation, then the lowest sum of (log) cost objectives, for each genome. */
export function bestPool(problem: RoundProblem, plan: MetricPlan, genes: readonly (readonly number[])[]): number[] {
  const G = problem.arity.length;
  const H = problem.poolSize;
  const rows = genes.length * H;
  const all = new Int32Array(rows * G);
  const pool = new Int32Array(rows);
  genes.forEach((g, i) => {
    for (let h = 0; h < H; h++) {
      all.set(g, (i * H + h) * G);
      pool[i * H + h] = h;
    }
  });
  const { values, violation } = problem.evaluate(all, pool, rows);
  const M = problem.objectives;
  const score = (r: number) => plan.objectives.reduce((s, o, k) => (k === plan.predictedIndex ? s : s + Math.log(Math.max(Math.abs(values[r * M + k] as number), 1e-300))), 0);
  return genes.map((_, i) => {
    let best = 0;
    for (let h = 1; h < H; h++) {
      const a = i * H + h;
      const b = i * H + best;
      if ((violation[a] as number) < (violation[b] as number) || (violation[a] === violation[b] && score(a) < score(b))) best = h;
    }
    return best;
  });
}

export function runRound(input: RoundInput): RoundResult {
  const { port, plan, options, rng } = input;
  const F = port.genes.featureLength;
  const G = port.genes.arity.length;
  const t0 = performance.now();
  const train = trainingSet(input.verified, options.maxTrain);
  const genes = new Int32Array(train.length * G);
  train.forEach((v, i) => genes.set(v.genes, i * G));
  const x = port.genes.features(genes, train.length);
  const y = train.map((v) => v.y);
  const factory = options.warp === 'normal-scores' ? warped(port.predictor) : port.predictor;
  const predictor = factory(x, train.length, F, y);
  const t1 = performance.now();
  const cv = options.cvFolds >= 2 ? crossValidateFit(factory, x, train.length, F, y, options.cvFolds, rng.fork(`cv/${input.round}`)) : null;
  const t2 = performance.now();

  const problem = new RoundProblem(port, plan, predictor, input.pool, input.verified);
  // Seeds: the verified networks (best first, an even spread when there are many) on their best accelerator.
  const byValue = [...input.verified].sort((a, b) => b.y - a.y);
  const cap = Math.floor(options.population / 2);
  const seedNets = byValue.length <= cap ? byValue : Array.from({ length: cap }, (_, j) => byValue[Math.floor((j * byValue.length) / cap)] as VerifiedNet);
  const seedPools = bestPool(problem, plan, seedNets.map((v) => v.genes));
  const seeds = seedNets.map((v, i) => ({ genes: v.genes, pool: seedPools[i] as number }));
  const inner = innerNsga2(problem, seeds, options, rng);
  const t3 = performance.now();

  const members = [...inner.members, ...neighbours(input, problem, plan)].filter((m) => m.violation === 0 && !input.asked(m.genes, m.pool));
  const seen = new Set<string>();
  const unique = members.filter((m) => {
    const k = `${m.pool}|${problem.networkKey(m.genes)}`;
    return !seen.has(k) && seen.add(k) !== undefined;
  });
  const uncertain = problem.uncertainty(unique.map((m) => m.genes));
  const cands: AcqCandidate[] = unique.map((m, i) => ({ values: m.values, sd: uncertain[i]?.sd ?? 0, rank: m.rank }));
  const conditional = options.batchRule === 'bucb' ? problem.conditioner(unique.map((m) => m.genes)) : undefined;
  // the exploit picks are uncapped (the accurate end); the capped ones get random caps in the upper part of the front's cost range
  const exploitCaps = [...Array<number>(options.exploit).fill(Infinity), ...Array.from({ length: options.capped }, () => 1 - options.cappedSpread * rng.next())];
  const chosen = acquire(input.points, cands, input.n, { predictedIndex: plan.predictedIndex, beta: options.beta, diversity: options.diversity, exploit: exploitCaps.length, exploitCaps, ...(conditional ? { conditional } : {}) });
  const sign = plan.objectives[plan.predictedIndex]?.sign ?? 1;
  const picks: RoundPick[] = chosen.map((c) => {
    const m = unique[c.index] as Member;
    const u = uncertain[c.index] as { sd: number; verified: boolean };
    return { genes: m.genes, pool: m.pool, mean: sign * (m.values[plan.predictedIndex] as number), sd: u.sd, rule: c.rule, verifiedNetwork: u.verified };
  });
  picks.push(...topUp(input, problem, plan, picks));
  const usage = input.pool.map((_, h) => inner.members.filter((m) => m.rank === 0 && m.pool === h).length);
  const frontNets = spreadNetworks(problem, plan, inner.members.filter((m) => m.rank === 0), 6);
  const t4 = performance.now();
  return {
    picks, usage, frontNets, evaluations: inner.evaluations, frontSize: inner.members.filter((m) => m.rank === 0).length,
    fit: { trainSize: train.length, predictor: predictor.describe(), cv },
    ms: { fit: t1 - t0, cv: t2 - t1, search: t3 - t2, acquisition: t4 - t3 },
  };
}

/** Up to `k` distinct networks of `members`, by predicted value, evenly spread (the best first). */
function spreadNetworks(problem: RoundProblem, plan: MetricPlan, members: readonly Member[], k: number): number[][] {
  const seen = new Set<string>();
  const distinct = [...members].sort((a, b) => (a.values[plan.predictedIndex] as number) - (b.values[plan.predictedIndex] as number)).filter((m) => {
    const key = problem.networkKey(m.genes);
    return !seen.has(key) && seen.add(key) !== undefined;
  });
  if (distinct.length <= k) return distinct.map((m) => m.genes);
  return Array.from({ length: k }, (_, j) => (distinct[Math.floor((j * (distinct.length - 1)) / (k - 1))] as Member).genes);
}

/**
 * Every one-choice change of the best verified networks and of up to `frontNeighbourhood` networks
 * spread along the verified front, on their best accelerator, evaluated (rank 99: off the predicted
 * front). The front's neighbours make the loop a Pareto local search as well (Paquete, Chiarandini
 * & Stützle 2004): the predictor is most trustworthy one choice away from what it has seen, and
 * the front improves where it is, not only where the inner search's model says it could be.
 */
function neighbours(input: RoundInput, problem: RoundProblem, plan: MetricPlan): Member[] {
  const arity = input.port.genes.arity;
  const top = neighbourSources(input.verified, input.frontNets ?? [], input.options);
  const out: number[][] = [];
  const seen = new Set(input.verified.map((v) => v.key));
  for (const v of top) {
    const on = problem.active(v.genes);
    for (let g = 0; g < arity.length; g++) {
      if (!on[g]) continue;
      for (let c = 0; c < (arity[g] as number); c++) {
        if (c === v.genes[g]) continue;
        const child = [...v.genes];
        child[g] = c;
        const key = problem.networkKey(child);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(child);
      }
    }
  }
  if (out.length === 0) return [];
  const pools = bestPool(problem, plan, out);
  const G = arity.length;
  const genes = new Int32Array(out.length * G);
  out.forEach((g, i) => genes.set(g, i * G));
  const { values, violation } = problem.evaluate(genes, Int32Array.from(pools), out.length);
  const M = problem.objectives;
  return out.map((g, i) => ({ genes: g, pool: pools[i] as number, values: Array.from(values.subarray(i * M, (i + 1) * M)), violation: violation[i] as number, rank: 99 }));
}

/** The networks whose neighbours join a round's candidates: the best `neighbourhood` and up to `frontNeighbourhood` spread along the front (both ends kept), each once. */
export function neighbourSources(verified: readonly VerifiedNet[], front: readonly VerifiedNet[], o: Pick<SurrogateOptions, 'neighbourhood' | 'frontNeighbourhood'>): VerifiedNet[] {
  const best = [...verified].sort((a, b) => b.y - a.y).slice(0, o.neighbourhood);
  const k = Math.min(front.length, o.frontNeighbourhood);
  const spread = k <= 1 ? front.slice(0, k) : Array.from({ length: k }, (_, j) => front[Math.round((j * (front.length - 1)) / (k - 1))] as VerifiedNet);
  return [...new Map([...best, ...spread].map((v) => [v.key, v])).values()];
}

/** Mutations of verified networks (on their best accelerator) until the batch is full. */
function topUp(input: RoundInput, problem: RoundProblem, plan: MetricPlan, picks: readonly RoundPick[]): RoundPick[] {
  const { port, rng } = input;
  const arity = port.genes.arity;
  const taken = new Set(picks.map((p) => `${p.pool}|${problem.networkKey(p.genes)}`));
  const out: RoundPick[] = [];
  for (let attempt = 0; picks.length + out.length < input.n && attempt < 200 * input.n; attempt++) {
    const parent = input.verified.length > 0 && attempt < 100 * input.n ? (input.verified[rng.int(input.verified.length)] as VerifiedNet).genes : arity.map((a) => rng.int(a));
    const child = parent.map((g, i) => ((arity[i] as number) > 1 && rng.next() < 0.1 ? (g + 1 + rng.int((arity[i] as number) - 1)) % (arity[i] as number) : g));
    const [pool] = bestPool(problem, plan, [child]) as [number];
    const key = `${pool}|${problem.networkKey(child)}`;
    if (taken.has(key) || input.asked(child, pool)) continue;
    taken.add(key);
    const [u] = problem.uncertainty([child]) as [{ mean: number; sd: number; verified: boolean }];
    out.push({ genes: child, pool, mean: u.mean, sd: u.sd, rule: 'fill', verifiedNetwork: u.verified });
  }
  return out;
}
