/**
 * The whole neighbourhood of a mapping under single moves, for the mapper's descent (refine.ts):
 * - retile: one prime factor of one loop (temporal or spatial) moves to another level or kind —
 *   merged into that level's loop of the same dimension and kind, or inserted as a new temporal
 *   loop at every position of the target level, or as a new spatial loop where the level fans out
 *   along that axis and the dimension may spread there;
 * - reorder: one temporal loop of a level moves to every other position of that level.
 * Products per dimension never change, so an exact tiling stays exact (and a padded one keeps its
 * padding). Moves the hardware or the constraints refuse are left to the caller's judge.
 */
import type { Rng } from '../../core/rng.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';

type Kind = 'T' | 'X' | 'Y';

/** May dimension `dim` fan out along `axis` below level `level` (fan-out > 1 and not forbidden)? */
export type Spreadable = (level: number, axis: 'X' | 'Y', dim: number) => boolean;

export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let v = n;
  for (let f = 2; f * f <= v; f++) {
    if (v % f === 0) { out.push(f); while (v % f === 0) v /= f; }
  }
  if (v > 1) out.push(v);
  return out;
}

const kindOf = (l: Loop): Kind => l.spatial ?? 'T';

function split(lv: LevelMapping): { t: Loop[]; s: Loop[] } {
  return { t: lv.loops.filter((l) => l.spatial === undefined && l.bound > 1), s: lv.loops.filter((l) => l.spatial !== undefined && l.bound > 1) };
}

function level(lv: LevelMapping, t: readonly Loop[], s: readonly Loop[]): LevelMapping {
  return { keep: lv.keep, loops: [...t.filter((l) => l.bound > 1), ...s.filter((l) => l.bound > 1)] };
}

function replace(m: Mapping, at: ReadonlyMap<number, LevelMapping>): Mapping {
  return { levels: m.levels.map((lv, i) => at.get(i) ?? lv) };
}

/** Every mapping one move away from `m` (duplicates possible, never `m` itself). */
export function neighbours(m: Mapping, spreadable: Spreadable): Mapping[] {
  const out: Mapping[] = [];
  const parts = m.levels.map(split);
  const nL = m.levels.length;
  // reorder
  parts.forEach(({ t, s }, li) => {
    for (let i = 0; i < t.length; i++) {
      for (let j = 0; j < t.length; j++) {
        if (i === j) continue;
        const u = t.slice();
        const [x] = u.splice(i, 1);
        u.splice(j, 0, x as Loop);
        if (u.every((l, k) => l === t[k])) continue;
        out.push(replace(m, new Map([[li, level(m.levels[li] as LevelMapping, u, s)]])));
      }
    }
  });
  // retile
  parts.forEach(({ t, s }, li) => {
    const loops = [...t, ...s];
    loops.forEach((src, k) => {
      for (const f of primeFactors(src.bound)) {
        const shrunk: Loop = { ...src, bound: src.bound / f };
        const fromT = k < t.length ? t.map((l, q) => (q === k ? shrunk : l)) : t;
        const fromS = k < t.length ? s : s.map((l, q) => (q === k - t.length ? shrunk : l));
        for (let lj = 0; lj < nL; lj++) {
          for (const kind of ['T', 'X', 'Y'] as const) {
            if (lj === li && kind === kindOf(src)) continue;
            if (kind !== 'T' && !spreadable(lj, kind, src.dim)) continue;
            const base = lj === li ? { t: fromT, s: fromS } : (parts[lj] as { t: Loop[]; s: Loop[] });
            const list = kind === 'T' ? base.t : base.s;
            const same = list.findIndex((l) => l.dim === src.dim && kindOf(l) === kind);
            const variants: { t: Loop[]; s: Loop[] }[] = [];
            if (same >= 0) {
              const grown = list.map((l, q) => (q === same ? { ...l, bound: l.bound * f } : l));
              variants.push(kind === 'T' ? { t: grown, s: base.s } : { t: base.t, s: grown });
            } else if (kind === 'T') {
              for (let pos = 0; pos <= base.t.length; pos++) {
                const u = base.t.slice();
                u.splice(pos, 0, { dim: src.dim, bound: f });
                variants.push({ t: u, s: base.s });
              }
            } else variants.push({ t: base.t, s: [...base.s, { dim: src.dim, bound: f, spatial: kind }] });
            for (const v of variants) {
              const at = new Map<number, LevelMapping>([[lj, level(m.levels[lj] as LevelMapping, v.t, v.s)]]);
              if (lj !== li) at.set(li, level(m.levels[li] as LevelMapping, fromT, fromS));
              out.push(replace(m, at));
            }
          }
        }
      }
    });
  });
  return out;
}

/** One move drawn at random from the same neighbourhood (without enumerating it); null when none applies. */
export function randomNeighbour(m: Mapping, spreadable: Spreadable, rng: Rng): Mapping | null {
  const parts = m.levels.map(split);
  const nL = m.levels.length;
  if (rng.next() < 0.35) {
    const lvls = parts.map((p, i) => [i, p.t.length] as const).filter(([, k]) => k >= 2);
    if (!lvls.length) return null;
    const [li] = lvls[rng.int(lvls.length)] as readonly [number, number];
    const { t, s } = parts[li] as { t: Loop[]; s: Loop[] };
    const i = rng.int(t.length);
    let j = rng.int(t.length - 1);
    if (j >= i) j++;
    const u = t.slice();
    const [x] = u.splice(i, 1);
    u.splice(j, 0, x as Loop);
    return replace(m, new Map([[li, level(m.levels[li] as LevelMapping, u, s)]]));
  }
  const sources: [number, Loop, number][] = [];
  parts.forEach(({ t, s }, li) => [...t, ...s].forEach((l, k) => sources.push([li, l, k])));
  if (!sources.length) return null;
  const [li, src, k] = sources[rng.int(sources.length)] as [number, Loop, number];
  const primes = primeFactors(src.bound);
  const f = primes[rng.int(primes.length)] as number;
  const lj = rng.int(nL);
  const kinds = (['T', 'X', 'Y'] as const).filter((kind) => (kind === 'T' || spreadable(lj, kind, src.dim)) && !(lj === li && kind === kindOf(src)));
  if (!kinds.length) return null;
  const kind = kinds[rng.int(kinds.length)] as Kind;
  const { t, s } = parts[li] as { t: Loop[]; s: Loop[] };
  const shrunk: Loop = { ...src, bound: src.bound / f };
  const fromT = k < t.length ? t.map((l, q) => (q === k ? shrunk : l)) : t;
  const fromS = k < t.length ? s : s.map((l, q) => (q === k - t.length ? shrunk : l));
  const base = lj === li ? { t: fromT, s: fromS } : (parts[lj] as { t: Loop[]; s: Loop[] });
  const list = kind === 'T' ? base.t : base.s;
  const same = list.findIndex((l) => l.dim === src.dim && kindOf(l) === kind);
  let v: { t: Loop[]; s: Loop[] };
  if (same >= 0) {
    const grown = list.map((l, q) => (q === same ? { ...l, bound: l.bound * f } : l));
    v = kind === 'T' ? { t: grown, s: base.s } : { t: base.t, s: grown };
  } else if (kind === 'T') {
    const u = base.t.slice();
    u.splice(rng.int(u.length + 1), 0, { dim: src.dim, bound: f });
    v = { t: u, s: base.s };
  } else v = { t: base.t, s: [...base.s, { dim: src.dim, bound: f, spatial: kind }] };
  const at = new Map<number, LevelMapping>([[lj, level(m.levels[lj] as LevelMapping, v.t, v.s)]]);
  if (lj !== li) at.set(li, level(m.levels[li] as LevelMapping, fromT, fromS));
  return replace(m, at);
}
