/**
 * What the differentiable strategy needs from a relaxed search problem, without tensors: the
 * categorical decisions, the cross-entropy of the relaxed (weight-sharing) network with its gradient
 * with respect to the architecture logits, and exact expected costs with their gradients. The
 * strategy owns logits, optimiser, temperature and randomness; the problem owns supernet and data
 * (mbconv: estimators/relaxed-mbconv.ts), so strategies stay free of tfjs and datasets.
 */
import type { JsonObject } from '../core/types.ts';

export interface RelaxedStep {
  /** Architecture logits, decisions concatenated in `arity` order. */
  readonly logits: readonly number[];
  /** Gumbel noise, same layout: relaxed weights are softmax((logits + noise) / temperature). */
  readonly noise: readonly number[];
  readonly temperature: number;
  /** One choice per decision; only the `sampled` decisions' entries are read. */
  readonly choices: readonly number[];
  /** Training example indices of this minibatch. */
  readonly batch: readonly number[];
}

export interface RelaxedProblem<T extends JsonObject = JsonObject> {
  /** Choices per decision. */
  readonly arity: readonly number[];
  /** Decisions the relaxed network cannot mix in one pass (e.g. input resolution): sampled per step. */
  readonly sampled: readonly number[];
  /** Metrics whose expectation is exact and differentiable. */
  readonly costMetrics: readonly string[];
  /** Number of training examples minibatches are drawn from. */
  readonly trainSize: number;
  /** The search-space value a choice vector denotes. */
  decode(choices: readonly number[]): T;
  /** E[metric] under independent decisions with probabilities probs[d][choice], and ∂E/∂probs. */
  expectedCost(metric: string, probs: readonly (readonly number[])[]): { readonly value: number; readonly grad: number[][] };
  /** The metric of one discrete choice vector (same tables as the expectation). */
  cost(metric: string, choices: readonly number[]): number;
  /** Mean cross-entropy of the relaxed network on the minibatch and ∂CE/∂logits (flat). */
  crossEntropy(step: RelaxedStep): { readonly loss: number; readonly grad: number[] };
}
