/**
 * Readers for Timeloop mappings: the v0.4 map YAML (`mapping: [{target, type, factors,
 * permutation, keep, bypass, split}]`, permutation listed innermost first) and the `map.txt`
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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(file: string, field: string, value: unknown, problem: string): never {
  throw new HardwareError(`${file}: ${field} ${problem}`, { file, field, value });
}

function parseFactors(raw: unknown, file: string, where: string): Map<string, number> {
  const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.trim().split(/\s+/) : [];
  const out = new Map<string, number>();
  for (const it of items) {
    const m = /^([A-Za-z]+)=?(\d+)$/.exec(it.trim());
    if (!m?.[1] || !m[2]) fail(file, `${where}.factors`, it, 'must look like K=16');
    out.set(m[1], Number(m[2]));
  }
  return out;
}

function parsePerm(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') return raw.includes(' ') ? raw.trim().split(/\s+/) : raw.split('');
  return [];
}

interface Draft { temporal: Loop[]; spatial: Loop[]; keep: boolean[] }

function finish(p: Problem, a: ArchSpec, drafts: Draft[]): Mapping {
  const m: Mapping = { levels: drafts.map((d): LevelMapping => ({ loops: [...d.temporal, ...d.spatial], keep: d.keep })) };
  validateMapping(p, a, m);
  return m;
}

function initialKeep(p: Problem, a: ArchSpec): Draft[] {
  return a.levels.map((lv) => ({
    temporal: [], spatial: [],
    keep: p.dataSpaces.map((ds) => !lv.bypass?.includes(ds.name)),
  }));
}

/** Level index receiving a container's spatial loops: nearest level at/above it with fan-out > 1. */
function containerLevel(ta: TimeloopArch, name: string): number | undefined {
  const start = ta.containers.get(name);
  if (start === undefined) return undefined;
  const a = ta.arch;
  const inst = (l: number): number => (l < 0 ? a.mac.instances : (a.levels[l]?.instances ?? 1));
  for (let l = Math.max(start, 0); l < a.levels.length; l++) if (inst(l - 1) > inst(l)) return l;
  return Math.max(start, 0);
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
    let level = a.levels.findIndex((lv) => lv.name === d.target);
    if (level < 0 && d.type === 'spatial') level = containerLevel(ta, d.target) ?? -1;
    if (level < 0) fail(file, `${where}.target`, d.target, 'names no storage level or container of the arch');
    const dr = drafts[level] as Draft;
    if (d.type === 'datatype' || d.type === 'dataspace' || d.type === 'bypass') {
      const names = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      for (const n of names(d.keep)) { const t = p.dataSpaces.findIndex((x) => x.name === n); if (t >= 0) dr.keep[t] = true; }
      for (const n of names(d.bypass)) { const t = p.dataSpaces.findIndex((x) => x.name === n); if (t >= 0) dr.keep[t] = false; }
      return;
    }
    if (d.type !== 'temporal' && d.type !== 'spatial') fail(file, `${where}.type`, d.type, 'must be temporal, spatial or dataspace');
    const f = parseFactors(d.factors, file, where);
    const perm = parsePerm(d.permutation);
    // Innermost first; dimensions missing from the permutation go outermost.
    const order = [...perm, ...p.dims.filter((x) => !perm.includes(x))];
    const split = typeof d.split === 'number' ? d.split : order.length;
    const loops: Loop[] = [];
    order.forEach((name, k) => {
      const dim = p.dims.indexOf(name);
      const bound = f.get(name) ?? 1;
      if (dim < 0) { if (bound > 1) fail(file, `${where}.factors`, name, 'names an unknown dimension'); return; }
      loops.unshift(d.type === 'spatial' ? { dim, bound, spatial: k < split ? 'X' : 'Y' } : { dim, bound });
    });
    if (d.type === 'spatial') dr.spatial.push(...loops); else dr.temporal.push(...loops);
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
