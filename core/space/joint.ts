/**
 * Joint (arch, hw) encoding: the product of a network space and an accelerator space is itself a
 * SearchSpace, so every strategy co-searches both without knowing it. Operators act on both halves
 * with the same RNG, arch first; keys join the two keys; the decisions are the network's followed
 * by the accelerator's.
 */
import { ConfigError, InvalidArchError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { JsonObject } from '../types.ts';
import type { SearchSpace } from './space.ts';

export interface Joint<A extends JsonObject, H extends JsonObject> extends JsonObject {
  readonly arch: A;
  readonly hw: H;
}

export class ProductSpace<A extends JsonObject, H extends JsonObject> implements SearchSpace<Joint<A, H>> {
  readonly name: string;
  readonly encodingLength: number;
  private readonly decisionList: readonly number[];

  constructor(readonly archSpace: SearchSpace<A>, readonly hwSpace: SearchSpace<H>) {
    this.name = `${archSpace.name}×${hwSpace.name}`;
    this.encodingLength = archSpace.encodingLength + hwSpace.encodingLength;
    this.decisionList = [...archSpace.decisions(), ...hwSpace.decisions()];
  }

  private pair(arch: A, hw: H): Joint<A, H> {
    return { arch, hw } as Joint<A, H>;
  }

  sample(rng: Rng): Joint<A, H> {
    const arch = this.archSpace.sample(rng);
    return this.pair(arch, this.hwSpace.sample(rng));
  }

  /**
   * Arch only, hw only or both, each with probability ⅓, so a child always differs from its
   * parent, as the contract asks, while not always changing both at once.
   */
  mutate(x: Joint<A, H>, rng: Rng, p: number): Joint<A, H> {
    // A half with a single value cannot change: the other one must.
    const which = this.hwSpace.size() <= 1n ? 0 : this.archSpace.size() <= 1n ? 1 : rng.int(3); // 0: arch, 1: hw, 2: both
    const arch = which !== 1 ? this.archSpace.mutate(x.arch, rng, p) : x.arch;
    const hw = which !== 0 ? this.hwSpace.mutate(x.hw, rng, p) : x.hw;
    return this.pair(arch, hw);
  }

  crossover(a: Joint<A, H>, b: Joint<A, H>, rng: Rng): Joint<A, H> {
    const arch = this.archSpace.crossover(a.arch, b.arch, rng);
    return this.pair(arch, this.hwSpace.crossover(a.hw, b.hw, rng));
  }

  encode(x: Joint<A, H>): number[] {
    return [...this.archSpace.encode(x.arch), ...this.hwSpace.encode(x.hw)];
  }

  decode(v: readonly number[]): Joint<A, H> {
    if (v.length !== this.encodingLength) throw new InvalidArchError('encoding', v.length, `length must be ${this.encodingLength}`);
    const n = this.archSpace.encodingLength;
    return this.pair(this.archSpace.decode(v.slice(0, n)), this.hwSpace.decode(v.slice(n)));
  }

  validate(x: unknown): Joint<A, H> {
    if (!x || typeof x !== 'object' || Array.isArray(x)) throw new InvalidArchError('(root)', x, 'must be an object {arch, hw}');
    const o = x as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'arch' && k !== 'hw');
    if (extra.length > 0) throw new InvalidArchError(extra[0] as string, o[extra[0] as string], 'unknown field of a joint value');
    this.archSpace.validate(o['arch']);
    this.hwSpace.validate(o['hw']);
    return x as Joint<A, H>; // the contract: x itself, typed, when valid
  }

  key(x: Joint<A, H>): string {
    return `${this.archSpace.key(x.arch)} @ ${this.hwSpace.key(x.hw)}`;
  }

  size(): bigint {
    return this.archSpace.size() * this.hwSpace.size();
  }

  *enumerate(): Iterable<Joint<A, H>> {
    if (!this.archSpace.enumerate || !this.hwSpace.enumerate) throw new ConfigError('space', this.name, 'is not enumerable: one of its halves cannot list its values');
    const hws = [...this.hwSpace.enumerate()];
    for (const arch of this.archSpace.enumerate()) for (const hw of hws) yield this.pair(arch, hw);
  }

  decisions(): readonly number[] {
    return this.decisionList;
  }

  fromChoices(choices: readonly number[]): Joint<A, H> {
    if (!Array.isArray(choices) || choices.length !== this.decisionList.length) {
      throw new InvalidArchError('choices', Array.isArray(choices) ? `length ${choices.length}` : choices, `must be an array of ${this.decisionList.length} option indices`);
    }
    const n = this.archSpace.decisions().length;
    return this.pair(this.archSpace.fromChoices(choices.slice(0, n)), this.hwSpace.fromChoices(choices.slice(n)));
  }

  choices(x: Joint<A, H>): number[] {
    return [...this.archSpace.choices(x.arch), ...this.hwSpace.choices(x.hw)];
  }
}

export function productSpace<A extends JsonObject, H extends JsonObject>(arch: SearchSpace<A>, hw: SearchSpace<H>): ProductSpace<A, H> {
  return new ProductSpace(arch, hw);
}
