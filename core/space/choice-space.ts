/**
 * A SearchSpace over a fixed list of named options, `{ choice: name }`: the hardware half of the
 * NAS-Bench-201 co-search when the run names several accelerator presets. Joined with a network
 * space by ProductSpace, every strategy searches (cell, preset) pairs; it is one decision with one
 * entry per option.
 */
import { ConfigError, InvalidArchError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { JsonObject } from '../types.ts';
import type { SearchSpace } from './space.ts';

export interface Choice extends JsonObject {
  readonly choice: string;
}

export class ChoiceSpace implements SearchSpace<Choice> {
  readonly encodingLength: number;

  constructor(readonly name: string, readonly options: readonly string[]) {
    if (options.length === 0) throw new ConfigError(name, options, 'needs at least one option');
    if (new Set(options).size !== options.length) throw new ConfigError(name, options, 'options must be distinct');
    this.encodingLength = options.length;
  }

  indexOf(x: Choice): number {
    return this.options.indexOf(this.validate(x).choice);
  }

  sample(rng: Rng): Choice {
    return { choice: rng.choice(this.options) };
  }

  mutate(x: Choice, rng: Rng, p: number): Choice {
    if (!(p >= 0 && p <= 1)) throw new InvalidArchError('p', p, 'must be a probability in [0, 1]');
    const others = this.options.filter((o) => o !== this.validate(x).choice);
    // One option only: nothing to change to (the contract's "more than one architecture" clause).
    return others.length === 0 ? { ...x } : { choice: rng.choice(others) };
  }

  crossover(a: Choice, b: Choice, rng: Rng): Choice {
    return { choice: rng.bool() ? a.choice : b.choice };
  }

  encode(x: Choice): number[] {
    const i = this.indexOf(x);
    return this.options.map((_o, k) => (k === i ? 1 : 0));
  }

  decode(v: readonly number[]): Choice {
    if (v.length !== this.encodingLength) throw new InvalidArchError('encoding', v.length, `length must be ${this.encodingLength}`);
    if (v.some((x) => x !== 0 && x !== 1) || v.filter((x) => x === 1).length !== 1) throw new InvalidArchError('encoding[0]', v, `must be one-hot over ${this.options.join(', ')}`);
    return { choice: this.options[v.indexOf(1)] as string };
  }

  validate(x: unknown): Choice {
    if (!x || typeof x !== 'object' || Array.isArray(x)) throw new InvalidArchError(this.name, x, 'must be an object { choice }');
    const o = x as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'choice');
    if (extra.length > 0) throw new InvalidArchError(extra[0] as string, o[extra[0] as string], `unknown field of a ${this.name} value`);
    if (typeof o['choice'] !== 'string' || !this.options.includes(o['choice'])) {
      throw new InvalidArchError('choice', o['choice'], `must be one of ${this.options.join(', ')}`);
    }
    return x as Choice;
  }

  key(x: Choice): string {
    return x.choice;
  }

  size(): bigint {
    return BigInt(this.options.length);
  }

  *enumerate(): Iterable<Choice> {
    for (const choice of this.options) yield { choice };
  }

  decisions(): readonly number[] {
    return [this.options.length];
  }

  fromChoices(choices: readonly number[]): Choice {
    const i = choices[0];
    if (!Array.isArray(choices) || choices.length !== 1) throw new InvalidArchError('choices', choices, 'must be an array of 1 option index');
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= this.options.length) throw new InvalidArchError('choices[0]', i, `must be an integer in [0, ${this.options.length})`);
    return { choice: this.options[i as number] as string };
  }

  choices(x: Choice): number[] {
    return [this.indexOf(x)];
  }
}
