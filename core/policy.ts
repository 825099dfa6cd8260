/**
 * A policy over a space's categorical decisions (SearchSpace.decisions()): what REINFORCE samples
 * architectures from and updates with advantages. The contract lives here because its
 * implementations sit in different layers: a plain-JS factorised softmax in strategies/, a GRU in
 * runtime/ (it needs tensors). A strategy never imports the tensor one: the wiring point injects it
 * (StrategyContext.policies).
 */
import type { Rng } from './rng.ts';

/** A policy's whole learnable state as JSON (weights and Adam moments), restored bit-exactly. */
export interface PolicyState {
  readonly params: Record<string, number[]>;
  readonly m: Record<string, number[]>;
  readonly v: Record<string, number[]>;
  readonly t: number;
}

export interface Policy {
  /** `n` sequences of one option index per decision, drawn with `rng`. */
  sample(n: number, rng: Rng): number[][];
  /** One gradient step on −mean(advantage · log π(actions)) − entropyWeight · entropy. */
  update(batch: readonly (readonly number[])[], advantages: readonly number[], entropyWeight: number): void;
  state(): PolicyState;
  load(state: PolicyState): void;
  /** Frees what the policy holds outside the JS heap (tensors); idempotent. */
  dispose(): void;
}

/** Policies that need a tensor runtime, provided by the wiring point (runtime/gru-policy.ts). */
export interface TensorPolicies {
  /** A GRU controller (Zoph & Le 2017) with `hidden` units over the given decision arities. */
  gru(arity: readonly number[], hidden: number, init: Rng, learningRate: number): Policy;
}
