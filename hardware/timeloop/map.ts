/**
 * Readers for Timeloop mappings: the v0.4 map YAML (`mapping: [{target, type, factors,
 * permutation, keep, bypass, split}]`, permutation listed innermost first; a target may be a storage
 * level, a container or the `inter_<container>_spatial` level Timeloop writes for it) and the `map.txt`
 * loop-nest dump the mapper writes (the only form of the reference mappings for the four
 * reference architectures).
 */
import { readFileSync } from 'node:fs';
import { parseHardwareYaml } from './yaml.ts';
import { HardwareError } from '../../core/errors.ts';
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import { validateMapping, type LevelMapping, type Loop, type Mapping } from '../model/mapping.ts';
import type { TimeloopArch } from './arch.ts';
import { parseFactorList, parsePermutationList } from './directives.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(file: string, field: string, value: unknown, problem: string): never {
  throw new HardwareError(`${file}: ${field} ${problem}`, { file, field, value });
}

interface Draft { temporal: Loop[]; spatial: Loop[]; keep: boolean[] }

function finish(p: Problem, a: ArchSpec, drafts: Draft[]): Mapping {
  const m: Mapping = { levels: drafts.map((d): LevelMapping => ({ loops: [...d.temporal, ...d.spatial], keep: d.keep })) };
  validateMapping(p, a, m);
  return m;
}

/** What each level keeps when the mapping does not say: what the arch's dataspace constraints allow. */
function initialKeep(p: Problem, a: ArchSpec): Draft[] {
  return a.levels.map((lv) => ({
    temporal: [], spatial: [],
    keep: p.dataSpaces.map((ds) => {
      const c = lv.constraints;
      return !(c?.bypass?.includes(ds.name) || (c?.keepOnly && !c.keep?.includes(ds.name)));
    }),
  }));
}

const dsIndex = (p: Problem, n: string, file: string, where: string): number => {
  const t = p.dataSpaces.findIndex((x) => x.name === n);
  if (t < 0) fail(file, where, n, `is not a data space of the problem (${p.dataSpaces.map((d) => d.name).join(', ')})`);
  return t;
};

/** Loops of one temporal/spatial directive, outermost first; unlisted dimensions go outermost. */
function directiveLoops(p: Problem, d: Obj, file: string, where: string, spatial: boolean): Loop[] {
  const f = new Map(parseFactorList(d.factors, `${file}: ${where}.factors`, 'eq').map((r) => [r.dim, r.value]));
  for (const [name, v] of f) if (!p.dims.includes(name) && v > 1) fail(file, `${where}.factors`, name, `names no dimension of the problem (${p.dims.join(', ')})`);
  const perm = parsePermutationList(d.permutation, `${file}: ${where}.permutation`);
  const order = [...perm, ...p.dims.filter((x) => !perm.includes(x))];
  const split = d.split === undefined ? order.length : Number(d.split);
  if (!Number.isInteger(split) || split < 0) fail(file, `${where}.split`, d.split, 'must be a whole number ≥ 0');
  const loops: Loop[] = [];
  order.forEach((name, k) => {
    const dim = p.dims.indexOf(name);
    const bound = f.get(name) ?? 1;
    if (dim < 0) return;
    if (bound < 1) fail(file, `${where}.factors`, `${name}=${bound}`, 'must be ≥ 1 in a mapping');
    loops.unshift(spatial ? { dim, bound, spatial: k < split ? 'X' : 'Y' } : { dim, bound });
  });
  return loops;
}

export function parseTimeloopMapYaml(text: string, p: Problem, ta: TimeloopArch, file = '<map>'): Mapping {
  const doc: unknown = parseHardwareYaml(text, file);
  const list = isObj(doc) ? doc.mapping : doc;
  if (!Array.isArray(list)) fail(file, 'mapping', list, 'must be a list of directives');
  const a = ta.arch;
  const drafts = initialKeep(p, a);
  list.forEach((d, i) => {
    const where = `mapping[${i}]`;
    if (!isObj(d) || typeof d.target !== 'string') fail(file, where, d, 'needs a target');
    const level = a.levels.findIndex((lv) => lv.name === d.target);
    const container = level < 0 ? ta.containers.get(d.target) : undefined;
    if (level < 0 && !container) fail(file, `${where}.target`, d.target, `names no storage level or container of the arch (levels: ${a.levels.map((l) => l.name).join(', ')})`);
    const type = d.type;
    if (type === 'datatype' || type === 'dataspace' || type === 'bypass') {
      const names = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      if (container) {
        // Timeloop writes a keep-nothing directive for the spatial levels it makes of containers.
        if (names(d.keep).length) fail(file, `${where}.keep`, d.keep, `: ${d.target} is a container and holds no data`);
        return;
      }
      const dr = drafts[level] as Draft;
      for (const n of names(d.keep)) dr.keep[dsIndex(p, n, file, `${where}.keep`)] = true;
      for (const n of names(d.bypass)) dr.keep[dsIndex(p, n, file, `${where}.bypass`)] = false;
      return;
    }
    if (type !== 'temporal' && type !== 'spatial') fail(file, `${where}.type`, type, 'must be temporal, spatial or datatype');
    const loops = directiveLoops(p, d, file, where, type === 'spatial');
    if (container) {
      if (type === 'temporal') {
        if (loops.some((l) => l.bound > 1)) fail(file, `${where}.factors`, d.factors, `: ${d.target} is a container; only spatial loops can target it`);
        return;
      }
      for (const l of loops) {
        if (l.bound > 1 && (l.spatial === 'X' ? container.meshX : container.meshY) <= 1) {
          fail(file, `${where}.split`, d.split ?? null, `puts ${p.dims[l.dim]} on ${l.spatial}, but container ${d.target} has no ${l.spatial} mesh`);
        }
      }
      (drafts[container.level] as Draft).spatial.push(...loops);
      return;
    }
    const dr = drafts[level] as Draft;
    if (type === 'spatial') dr.spatial.push(...loops); else dr.temporal.push(...loops);
  });
  return finish(p, a, drafts);
}

/** Parses a `timeloop-*.map.txt` nest; level headings must follow the arch's order. */
export function parseTimeloopMapTxt(text: string, p: Problem, a: ArchSpec, file = '<map.txt>'): Mapping {
  const drafts: Draft[] = a.levels.map(() => ({ temporal: [], spatial: [], keep: p.dataSpaces.map(() => false) }));
  let current = -1;
  let lastSeen = a.levels.length;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const head = /^(\S+)\s*\[(.*)\]\s*$/.exec(line);
    if (head?.[1]) {
      const idx = a.levels.findIndex((lv) => lv.name === head[1]);
      if (idx < 0) continue; // a spatial container heading: its loops stay with the level above
      if (idx >= lastSeen) fail(file, 'level order', head[1], `does not follow the arch order of ${a.name}`);
      lastSeen = idx;
      current = idx;
      for (const m of (head[2] ?? '').matchAll(/(\w+):\d+/g)) {
        const t = p.dataSpaces.findIndex((x) => x.name === m[1]);
        if (t < 0) fail(file, `${head[1]} keeps`, m[1], 'is not a data space of the problem');
        (drafts[idx] as Draft).keep[t] = true;
      }
      continue;
    }
    const lp = /for (\w+) in \[0:(\d+)\)(?:\s*\(Spatial-([XY])\))?/.exec(line);
    if (!lp?.[1] || !lp[2]) continue;
    if (current < 0) fail(file, 'loop', line, 'appears before any level heading');
    const dim = p.dims.indexOf(lp[1]);
    if (dim < 0) fail(file, 'loop', lp[1], 'names an unknown dimension');
    const dr = drafts[current] as Draft;
    if (lp[3] === 'X' || lp[3] === 'Y') dr.spatial.push({ dim, bound: Number(lp[2]), spatial: lp[3] });
    else dr.temporal.push({ dim, bound: Number(lp[2]) });
  }
  return finish(p, a, drafts);
}

export function readTimeloopMap(file: string, p: Problem, ta: TimeloopArch): Mapping {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.txt') ? parseTimeloopMapTxt(text, p, ta.arch, file) : parseTimeloopMapYaml(text, p, ta, file);
}
