/**
 * Views a SearchSpace as a sequence of categorical decisions (what an RL controller emits). The
 * contract only promises one-hot groups in `encode`, so group sizes are read from `arity()` when
 * a space offers it, else inferred: two adjacent positions belong to one group iff no sample ever
 * has both hot. Decoding a choice vector zeroes the groups the space reports as not counting
 * (e.g. blocks beyond a stage's depth), using the `encoding[i]` field its InvalidArchError names.
 */
import { InvalidArchError } from '../errors.ts';
import { Rng } from '../rng.ts';
import type { JsonObject } from '../types.ts';
import type { SearchSpace } from './space.ts';

export interface WithArity {
  arity(): readonly number[];
}

function hasArity(space: object): space is WithArity {
  return typeof (space as Partial<WithArity>).arity === 'function';
}

export function arityOf<T extends JsonObject>(space: SearchSpace<T>, probes = 600): number[] {
  if (hasArity(space)) return [...space.arity()];
  // A fixed probe stream: the inferred structure must not depend on (or consume) the search's RNG.
  const rng = new Rng('categorical-arity-probe');
  const L = space.encodingLength;
  const together = new Array<boolean>(Math.max(0, L - 1)).fill(false);
  for (let k = 0; k < probes; k++) {
    const v = space.encode(space.sample(rng));
    for (let i = 0; i + 1 < L; i++) if (v[i] === 1 && v[i + 1] === 1) together[i] = true;
  }
  const arity: number[] = [];
  let size = 1;
  for (let i = 0; i + 1 < L; i++) {
    if (together[i]) {
      arity.push(size);
      size = 1;
    } else size++;
  }
  if (L > 0) arity.push(size);
  return arity;
}

/** The value whose one-hot groups pick `choices` (dropping groups the space says do not count). */
export function fromChoices<T extends JsonObject>(space: SearchSpace<T>, arity: readonly number[], choices: readonly number[]): T {
  const v = new Array<number>(space.encodingLength).fill(0);
  const starts: number[] = [];
  let offset = 0;
  arity.forEach((n, g) => {
    starts.push(offset);
    v[offset + (choices[g] as number)] = 1;
    offset += n;
  });
  for (let attempt = 0; attempt <= arity.length; attempt++) {
    try {
      return space.decode(v);
    } catch (e) {
      const m = e instanceof InvalidArchError ? /^encoding\[(\d+)\]$/.exec(e.field) : null;
      const g = m ? starts.lastIndexOf(starts.filter((s) => s <= Number(m[1])).pop() as number) : -1;
      if (g < 0 || !v.slice(starts[g], (starts[g] as number) + (arity[g] as number)).some((x) => x === 1)) throw e;
      for (let i = 0; i < (arity[g] as number); i++) v[(starts[g] as number) + i] = 0;
    }
  }
  throw new InvalidArchError('choices', choices, 'could not be decoded by the space');
}
