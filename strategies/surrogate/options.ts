/**
 * Options of `strategy: surrogate` (validated at the edge; an unknown or bad field is a config error
 * naming it, e.g. `surrogate.options.beta`). Defaults: one round fits the GP, runs 200 × 250 + 200
 * = 50,200 predicted candidates and picks the batch in ≈ 2–4 s on one core (bench/surrogate-round.ts).
 */
import { z } from 'zod';

export const surrogateOptions = z.strictObject({
  /** Networks verified before the first round: largest, smallest and a maximin space-filling sample. */
  initial: z.number().int().min(2).max(10_000).default(16),
  /** Inner NSGA-II population; each round evaluates population × (generations + 1) predicted candidates. */
  population: z.number().int().min(4).max(5_000).default(200),
  generations: z.number().int().min(0).max(10_000).default(250),
  crossoverProb: z.number().min(0).max(1).default(0.9),
  /** Per network gene, in the inner search. */
  mutationProb: z.number().min(0).max(1).default(0.05),
  /** Probability that an inner-search child moves to another accelerator of the pool. */
  hwMutationProb: z.number().min(0).max(1).default(0.2),
  /** β of the optimistic point: predicted mean moved β standard deviations toward better. */
  beta: z.number().min(0).max(10).default(1),
  /** Picks per round by the optimistic predicted metric alone (the accurate end of the front; GP-UCB). */
  exploit: z.number().int().min(0).max(1000).default(3),
  /**
   * Picks per round by the optimistic predicted metric under a random cost cap, after the exploit
   * picks: each draws u uniformly in [1 − cappedSpread, 1] and caps every cost objective at that
   * fraction of the verified front's (log) cost range (random ε-constraints), so accuracy is also
   * pushed up at cheaper points of the front, not only at its costly end.
   */
  capped: z.number().int().min(0).max(1000).default(2),
  /** Upper share of the verified front's cost range the caps are drawn from. */
  cappedSpread: z.number().min(0).max(1).default(0.5),
  /** Neighbours (one choice changed) of this many best verified networks join the candidates each round. */
  neighbourhood: z.number().int().min(0).max(100).default(3),
  /**
   * How picks within one batch see each other: `bucb` — each pick is believed observed at its mean, so
   * the GP's uncertainty of its neighbours shrinks before the next pick (GP-BUCB); `front` — only
   * the front the picks' means would add to changes (every candidate keeps its uncertainty).
   */
  batchRule: z.enum(['bucb', 'front']).default('bucb'),
  /** Neighbours of up to this many networks spread along the verified Pareto front join the candidates each round (Pareto local search). */
  frontNeighbourhood: z.number().int().min(0).max(200).default(16),
  /** Share of each batch picked for diversity along the predicted front (the rest by UCB-HVI). */
  diversity: z.number().min(0).max(1).default(0.2),
  /** Fit the predictor on normal scores of the verified values (robust to a few broken networks; warp.ts) or on the values. */
  warp: z.enum(['normal-scores', 'none']).default('normal-scores'),
  /** Folds of the per-round cross-validation of the predictor (0: skip it). */
  cvFolds: z.union([z.literal(0), z.number().int().min(2).max(20)]).default(5),
  /** At most this many verified networks train the predictor (the best half and an even spread of the rest). */
  maxTrain: z.number().int().min(8).max(5_000).default(600),
  /** At most this many accelerators for the inner search to pair networks with (joint co-search); each costs one cost-table compilation. */
  hwPool: z.number().int().min(1).max(64).default(6),
  /** Accelerators screened (exact cost of the largest and smallest network, no table) to choose the initial pool. */
  hwCandidates: z.number().int().min(1).max(10_000).default(64),
  /** Children of the most used members screened on the predicted front after each round. */
  hwChildren: z.number().int().min(0).max(1_000).default(6),
  /** Pool members a round may swap for better-screening children (0: a fixed pool); each swap compiles a table. */
  hwRefresh: z.number().int().min(0).max(64).default(1),
  /**
   * Start the next pool refresh (screening the children, compiling a joining member's table) right
   * after a round, while its batch is verified, and the initial pool while the platform starts.
   * Only when work happens changes: trials, predictions and round records are the same either way.
   */
  prefetch: z.boolean().default(true),
});

export type SurrogateOptions = z.infer<typeof surrogateOptions>;
