/**
 * Conformance suite for any SearchSpace (core/space/space.ts invariants). A test file calls
 * `searchSpaceConformance(label, make, options)` once per implementation.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArchError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';

export interface BadArch {
  /** What is wrong, for the test name. */
  readonly label: string;
  readonly value: unknown;
  /** The field path the InvalidArchError must name. */
  readonly field: string;
}

export interface ConformanceOptions {
  /** Expected exact size(). */
  readonly size: bigint;
  /** Invalid archs with the field each must be rejected for. */
  readonly bad: readonly BadArch[];
  /** Samples drawn per property (default 40). */
  readonly samples?: number;
}

function deepFrozenCopy<T>(x: T): T {
  const c = structuredClone(x);
  const freeze = (v: unknown): void => {
    if (v && typeof v === 'object') {
      Object.freeze(v);
      for (const k of Object.keys(v)) freeze((v as Record<string, unknown>)[k]);
    }
  };
  freeze(c);
  return c;
}

export function searchSpaceConformance<T extends JsonObject>(label: string, make: () => SearchSpace<T>, opts: ConformanceOptions): void {
  const n = opts.samples ?? 40;
  describe(`SearchSpace conformance: ${label}`, () => {
    const space = make();
    const draw = (seed: string, count = n): T[] => {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => space.sample(rng));
    };

    it('samples are valid JSON values', () => {
      for (const x of draw('sample')) {
        expect(space.validate(x)).toBe(x);
        expect(JSON.parse(JSON.stringify(x))).toEqual(x);
      }
    });

    it('same seed ⇒ same samples, different seed ⇒ different samples', () => {
      expect(draw('s1').map((x) => space.key(x))).toEqual(draw('s1').map((x) => space.key(x)));
      expect(draw('s1').map((x) => space.key(x))).not.toEqual(draw('s2').map((x) => space.key(x)));
    });

    it('mutate returns a valid, new, canonically different object and never mutates its input', () => {
      const rng = new Rng('mutate');
      for (const x of draw('mutate-parents')) {
        for (const p of [0, 0.1, 1]) {
          const frozen = deepFrozenCopy(x);
          const before = JSON.stringify(frozen);
          const child = space.mutate(frozen, rng, p);
          expect(JSON.stringify(frozen)).toBe(before);
          expect(child).not.toBe(frozen);
          space.validate(child);
          expect(space.key(child)).not.toBe(space.key(frozen));
        }
      }
    });

    it('mutate rejects a probability outside [0, 1]', () => {
      const x = draw('p', 1)[0] as T;
      expect(() => space.mutate(x, new Rng(1), 1.5)).toThrow(InvalidArchError);
    });

    it('crossover returns a valid new object built from its parents, inputs untouched', () => {
      const rng = new Rng('cross');
      const xs = draw('cross-parents');
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const a = deepFrozenCopy(xs[i] as T);
        const b = deepFrozenCopy(xs[i + 1] as T);
        const [sa, sb] = [JSON.stringify(a), JSON.stringify(b)];
        const c = space.crossover(a, b, rng);
        expect(JSON.stringify(a)).toBe(sa);
        expect(JSON.stringify(b)).toBe(sb);
        expect(c).not.toBe(a);
        expect(c).not.toBe(b);
        space.validate(c);
        // crossing a parent with itself can only give that parent back
        const ca = space.crossover(a, a, rng);
        expect(space.key(ca)).toBe(space.key(a));
      }
    });

    it('encode is one-hot of the declared length and decode round-trips the key', () => {
      for (const x of draw('encode')) {
        const v = space.encode(x);
        expect(v).toHaveLength(space.encodingLength);
        expect(v.every((b) => b === 0 || b === 1)).toBe(true);
        const y = space.decode(v);
        space.validate(y);
        expect(space.key(y)).toBe(space.key(x));
        expect(space.encode(y)).toEqual(v);
      }
    });

    it('decode rejects malformed vectors naming the position', () => {
      const v = space.encode(draw('dec', 1)[0] as T);
      expect(() => space.decode(v.slice(1))).toThrow(InvalidArchError);
      const bad = v.slice();
      bad[0] = 0.5;
      expect(() => space.decode(bad)).toThrow(/encoding\[0\]/);
    });

    it('declares its decisions: encode follows them and fromChoices(choices(x)) has the key of x', () => {
      const d = space.decisions();
      expect(d.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
      expect(d.reduce((a, b) => a + b, 0)).toBe(space.encodingLength);
      for (const x of draw('choices')) {
        const c = space.choices(x);
        expect(c).toHaveLength(d.length);
        c.forEach((v, i) => expect(Number.isInteger(v) && v >= 0 && v < (d[i] as number)).toBe(true));
        const y = space.fromChoices(c);
        expect(space.validate(y)).toBe(y);
        expect(space.key(y)).toBe(space.key(x));
        // a decision's one-hot group is either all zero (it does not count) or hot at the choice
        const v = space.encode(x);
        let offset = 0;
        d.forEach((n, i) => {
          const hot = v.slice(offset, offset + n).indexOf(1);
          if (hot >= 0) expect(hot).toBe(c[i]);
          offset += n;
        });
      }
    });

    it('fromChoices rejects a wrong length or option naming choices', () => {
      const d = space.decisions();
      expect(() => space.fromChoices(d.slice(1).map(() => 0))).toThrow(InvalidArchError);
      expect(() => space.fromChoices(d.map((n) => n))).toThrow(/choices\[0\]/);
    });

    it('key is canonical: equal for equal archs (copies), different for different encodings', () => {
      const xs = draw('key', 2 * n);
      const byKey = new Map<string, string>();
      for (const x of xs) {
        expect(space.key(structuredClone(x))).toBe(space.key(x));
        const enc = space.encode(x).join('');
        const k = space.key(x);
        const seen = byKey.get(k);
        if (seen !== undefined) expect(seen).toBe(enc);
        byKey.set(k, enc);
      }
      const encs = new Set(byKey.values());
      expect(encs.size).toBe(byKey.size);
    });

    for (const bad of opts.bad) {
      it(`validate rejects ${bad.label} naming ${bad.field}`, () => {
        let err: unknown;
        try {
          space.validate(bad.value);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidArchError);
        expect((err as InvalidArchError).field).toBe(bad.field);
        expect((err as InvalidArchError).message).toContain(bad.field);
      });
    }

    it(`size() is exactly ${opts.size}`, () => {
      expect(space.size()).toBe(opts.size);
    });
  });
}

/** Brute force: number of distinct keys over every genome reachable by decoding all one-hot vectors. */
export function countDistinctKeys<T extends JsonObject>(space: SearchSpace<T>, all: Iterable<T>): number {
  const keys = new Set<string>();
  for (const x of all) keys.add(space.key(x));
  return keys.size;
}
