/**
 * Shared machinery for spaces whose architectures are a fixed list of categorical choices (a
 * genome of choice indices, one per declared decision). A space maps its JSON to a genome plus an
 * "active" mask (choices that change the network, e.g. blocks within a stage's depth) and gets
 * sample / mutate / crossover / one-hot encode / decode from here, so every space — network or
 * accelerator — implements these operators the same way.
 */
import { InvalidArchError } from '../errors.ts';
import type { Rng } from '../rng.ts';

/** Number of options of each gene, in genome order. */
export type Arity = readonly number[];

export function sampleGenome(arity: Arity, rng: Rng): number[] {
  return arity.map((n) => rng.int(n));
}

/** Another option than `current`, uniformly among the remaining ones. */
function otherOption(current: number, n: number, rng: Rng): number {
  const j = rng.int(n - 1);
  return j >= current ? j + 1 : j;
}

/**
 * Per-gene resampling with probability p. `activeOf` reports which genes count for a genome (it
 * can depend on other genes, e.g. depth). If nothing that counts changed, one active gene with more
 * than one option is forced to change, so the child always differs canonically.
 */
export function mutateGenome(
  genome: readonly number[],
  arity: Arity,
  rng: Rng,
  p: number,
  activeOf: (g: readonly number[]) => readonly boolean[],
  sameKey: (a: readonly number[], b: readonly number[]) => boolean,
): number[] {
  if (!(p >= 0 && p <= 1)) throw new InvalidArchError('p', p, 'mutation probability must be in [0, 1]');
  const child = genome.slice();
  for (let i = 0; i < child.length; i++) {
    const n = arity[i] as number;
    if (n > 1 && rng.bool(p)) child[i] = otherOption(child[i] as number, n, rng);
  }
  if (!sameKey(genome, child)) return child;
  const active = activeOf(child);
  const candidates: number[] = [];
  for (let i = 0; i < child.length; i++) if (active[i] && (arity[i] as number) > 1) candidates.push(i);
  if (candidates.length === 0) return child;
  const i = rng.choice(candidates);
  child[i] = otherOption(child[i] as number, arity[i] as number, rng);
  return child;
}

export function crossoverGenomes(a: readonly number[], b: readonly number[], rng: Rng): number[] {
  return a.map((x, i) => (rng.bool() ? x : (b[i] as number)));
}

export function encodingLength(arity: Arity): number {
  return arity.reduce((s, n) => s + n, 0);
}

/** One-hot groups; inactive genes become all-zero groups so the encoding depends only on the key. */
export function encodeGenome(genome: readonly number[], arity: Arity, active: readonly boolean[]): number[] {
  const out: number[] = [];
  genome.forEach((g, i) => {
    const n = arity[i] as number;
    for (let j = 0; j < n; j++) out.push(active[i] && j === g ? 1 : 0);
  });
  return out;
}

/**
 * Parses one-hot groups. Returns -1 for all-zero groups (inactive genes); the caller decides what
 * an inactive gene decodes to and whether a zero group is allowed there.
 */
export function decodeGroups(v: readonly number[], arity: Arity): number[] {
  const len = encodingLength(arity);
  if (!Array.isArray(v) || v.length !== len) {
    throw new InvalidArchError('encoding', Array.isArray(v) ? `length ${v.length}` : v, `must be an array of ${len} numbers`);
  }
  const genes: number[] = [];
  let offset = 0;
  for (const n of arity) {
    let hot = -1;
    for (let j = 0; j < n; j++) {
      const x = v[offset + j];
      if (x === 1) {
        if (hot !== -1) throw new InvalidArchError(`encoding[${offset + j}]`, x, 'second 1 in a one-hot group');
        hot = j;
      } else if (x !== 0) {
        throw new InvalidArchError(`encoding[${offset + j}]`, x, 'must be 0 or 1');
      }
    }
    genes.push(hot);
    offset += n;
  }
  return genes;
}

/** Checks a choice vector against the arity: InvalidArchError naming `choices` or `choices[i]`. */
export function checkChoices(choices: readonly number[], arity: Arity): void {
  if (!Array.isArray(choices) || choices.length !== arity.length) {
    throw new InvalidArchError('choices', Array.isArray(choices) ? `length ${choices.length}` : choices, `must be an array of ${arity.length} option indices`);
  }
  choices.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= (arity[i] as number)) throw new InvalidArchError(`choices[${i}]`, c, `must be an integer in [0, ${arity[i]})`);
  });
}

/** Index of `value` in `choices`, or an InvalidArchError naming the field. */
export function choiceIndex<V>(choices: readonly V[], value: unknown, field: string): number {
  const i = choices.indexOf(value as V);
  if (i < 0) throw new InvalidArchError(field, value, `must be one of ${JSON.stringify(choices)}`);
  return i;
}
