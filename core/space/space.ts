/**
 * The SearchSpace contract (docs/architecture.md §2): a space is pure data plus operators over readonly JSON
 * values. Strategies only ever talk to this interface, so the network spaces (mbconv, nb201) and
 * the accelerator space are searched by the same code, alone or jointly.
 *
 * Invariants every implementation keeps (checked by test/conformance/search-space.case.ts):
 * - operators never mutate their inputs and return fresh objects;
 * - every value they return passes `validate`;
 * - `key(x) === key(y)` iff x and y denote the same architecture (canonical form);
 * - `decode(encode(x))` has the same key as x, and `encode` is a function of the key;
 * - a value is a sequence of categorical decisions, declared by `decisions()`: `encode` writes one
 *   one-hot group per decision (Σ decisions() = encodingLength), and
 *   `key(fromChoices(choices(x))) === key(x)`;
 * - all randomness comes from the `Rng` argument (same seed ⇒ same values).
 */
import type { JsonObject, LayerSpec } from '../types.ts';
import type { Rng } from '../rng.ts';

export interface SearchSpace<T extends JsonObject = JsonObject> {
  /** Registry name, e.g. 'mbconv' or 'nb201'. */
  readonly name: string;
  /** Length of the vectors `encode` returns and `decode` accepts. */
  readonly encodingLength: number;

  /** A random architecture (each choice uniform; not uniform over canonical archs). */
  sample(rng: Rng): T;
  /**
   * Resamples each choice with probability `p` (to a different value). The result always has a key
   * different from `x` whenever the space holds more than one architecture: if no draw changed
   * anything that counts, one effective choice is changed, so evolution never wastes a child.
   */
  mutate(x: T, rng: Rng, p: number): T;
  /** Uniform crossover: every choice is taken from `a` or `b` with probability ½. */
  crossover(a: T, b: T, rng: Rng): T;
  /** Concatenated one-hot groups, one per choice; choices that do not count are all-zero groups. */
  encode(x: T): number[];
  /** Inverse of `encode`; throws InvalidArchError naming `encoding[i]` for malformed vectors. */
  decode(v: readonly number[]): T;
  /** Returns `x` typed when valid; otherwise throws InvalidArchError naming the field path. */
  validate(x: unknown): T;
  /** Canonical string: equal for equal architectures, different otherwise. */
  key(x: T): string;
  /** Exact number of distinct canonical architectures (bigint: the mbconv count exceeds 2^53). */
  size(): bigint;
  /** Lists every canonical architecture; only implemented by spaces small enough to list. */
  enumerate?(): Iterable<T>;

  /**
   * The decision structure: the number of options of each categorical decision, in order — what a
   * policy emits one decision at a time. `encode`'s one-hot groups follow it.
   */
  decisions(): readonly number[];
  /**
   * The value that takes option `choices[i]` at decision i. Choices at decisions that do not count
   * for the result (blocks beyond a stage's depth) are ignored. Throws InvalidArchError naming
   * `choices` or `choices[i]` for a wrong length or option, or the field of a limit the space
   * imposes (an accelerator's area budget).
   */
  fromChoices(choices: readonly number[]): T;
  /** The option x takes at each decision (any valid option where a decision does not count). */
  choices(x: T): number[];
}

export interface LayerOptions {
  /** Batch size written into every LayerSpec's `n` (default 1). */
  readonly batch?: number;
}

/** A space of networks: also lowers an architecture to the layer list the cost models consume. */
export interface NetworkSpace<T extends JsonObject = JsonObject> extends SearchSpace<T> {
  layers(x: T, options?: LayerOptions): LayerSpec[];
  /** One-line human summary. */
  describe(x: T): string;
  /** The largest and smallest architectures (sandwich rule, bounds of cost ranges). */
  largest(): T;
  smallest(): T;
}

/**
 * Up to `n` distinct architectures (by key) drawn from `space` with `rng`, in draw order; stops after
 * 100·n draws so a space with fewer than n architectures cannot loop forever.
 */
export function sampleDistinct<T extends JsonObject>(space: Pick<SearchSpace<T>, 'sample' | 'key'>, rng: Rng, n: number): T[] {
  const picked = new Map<string, T>();
  for (let draws = 0; picked.size < n && draws < 100 * n; draws++) {
    const a = space.sample(rng);
    picked.set(space.key(a), a);
  }
  return [...picked.values()];
}
