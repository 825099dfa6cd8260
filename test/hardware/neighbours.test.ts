/**
 * The local search's neighbourhood: every single move keeps each dimension's product of loop bounds
 * (so an exact tiling stays exact), reorders and moves prime factors between levels and between
 * temporal and spatial loops, and spreads a dimension only where the predicate allows it.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { neighbours, primeFactors, randomNeighbour } from '../../hardware/mapper/neighbours.ts';
import { mappedBounds, type Mapping } from '../../hardware/model/mapping.ts';
import { fromLayer } from '../../hardware/workload.ts';

const p = fromLayer({
  name: 'l', kind: 'conv', n: 2, c: 12, m: 8, h: 6, w: 6, p: 6, q: 6, r: 3, s: 3, stride: 1, groups: 1, padding: 1,
  bits: { weights: 8, inputs: 8, outputs: 8 },
});
const keep = p.dataSpaces.map(() => true);
// levels innermost first: rf (M=2), glb (C=3, spatial Q=2 on X), DRAM (the rest)
const start: Mapping = {
  levels: [
    { loops: [{ dim: 2, bound: 2 }], keep },
    { loops: [{ dim: 3, bound: 3 }, { dim: 5, bound: 2, spatial: 'X' }], keep },
    { loops: [{ dim: 0, bound: 2 }, { dim: 2, bound: 4 }, { dim: 3, bound: 4 }, { dim: 4, bound: 6 }, { dim: 5, bound: 3 }, { dim: 6, bound: 3 }, { dim: 7, bound: 3 }], keep },
  ],
};
const key = (m: Mapping): string => JSON.stringify(m.levels.map((l) => l.loops));
// only level 1 fans out, and only Q and M may spread there
const spreadable = (l: number, _axis: 'X' | 'Y', d: number): boolean => l === 1 && (d === 5 || d === 2);

describe('mapper neighbourhood', () => {
  it('prime factors', () => {
    expect(primeFactors(12)).toEqual([2, 3]);
    expect(primeFactors(13)).toEqual([13]);
    expect(primeFactors(1)).toEqual([]);
  });

  it('every neighbour keeps the per-dimension products and differs from the start', () => {
    const ns = neighbours(start, spreadable);
    expect(ns.length).toBeGreaterThan(50);
    const base = mappedBounds(p, start);
    for (const n of ns) {
      expect(mappedBounds(p, n)).toEqual(base);
      expect(key(n)).not.toBe(key(start));
    }
  });

  it('contains reorders, moves between levels, and spatial moves only where allowed', () => {
    const ns = neighbours(start, spreadable);
    // reorder at DRAM: P first
    expect(ns.some((n) => n.levels[2]?.loops[0]?.dim === 4)).toBe(true);
    // M's 2 from the register into the glb's temporal loops
    expect(ns.some((n) => n.levels[0]?.loops.length === 0 && n.levels[1]?.loops.some((l) => l.dim === 2 && !l.spatial))).toBe(true);
    // a factor of M spread on Y at the glb (allowed), never a factor of C (not allowed) nor any spread at DRAM
    expect(ns.some((n) => n.levels[1]?.loops.some((l) => l.dim === 2 && l.spatial === 'Y'))).toBe(true);
    expect(ns.some((n) => n.levels[1]?.loops.some((l) => l.dim === 3 && l.spatial))).toBe(false);
    expect(ns.some((n) => n.levels[2]?.loops.some((l) => l.spatial))).toBe(false);
  });

  it('random neighbours are drawn from the same moves', () => {
    const rng = new Rng(4);
    const all = new Set(neighbours(start, spreadable).map(key));
    const base = mappedBounds(p, start);
    let seen = 0;
    for (let i = 0; i < 300; i++) {
      const n = randomNeighbour(start, spreadable, rng);
      if (!n) continue;
      seen++;
      expect(mappedBounds(p, n)).toEqual(base);
      expect(all.has(key(n))).toBe(true);
    }
    expect(seen).toBeGreaterThan(200);
  });
});
