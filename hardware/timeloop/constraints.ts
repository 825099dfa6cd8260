/**
 * Timeloop v0.4 mapspace constraints: inline in an arch YAML (`constraints: {dataspace, temporal,
 * spatial}` on a component or a container) and in a separate file (`mapspace_constraints: {targets:
 * [{target, type: temporal|spatial|dataspace|bypass|datatype|utilization|parallelism, ...}]}`, also
 * `constraints:`/`targets:`/a bare list), attached to the arch's storage levels. A spatial target
 * may be a storage level (its fan-out), a container or Timeloop's `inter_<container>_spatial` name.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ConfigError, HardwareError } from '../../core/errors.ts';
import { mergeLevelConstraints, withConstraints, type LevelConstraints, type LoopConstraint, type SpatialConstraint } from '../mapspace/constraints.ts';
import { fanout, type ArchSpec } from '../spec.ts';
import { parseFactorList, parsePermutationList } from './directives.ts';
import { parseHardwareYaml } from './yaml.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a container's fan-out lands in our levels, and along which axes it spreads. */
export interface ContainerInfo {
  readonly level: number;
  readonly meshX: number;
  readonly meshY: number;
}

/** Keys Timeloop knows but this model does not: refused rather than silently ignored. */
const UNSUPPORTED = ['no_reuse', 'no_link_transfer', 'rmw_first_update', 'no_coalesce', 'default_max_factor', 'default_min_factor', 'remainders', 'proportion', 'no_multicast_no_reduction', 'max_overbooked_proportion'];

function fail(where: string, value: unknown, problem: string): never {
  throw new HardwareError(`${where} ${problem} (got ${JSON.stringify(value)})`, { field: where, value });
}

function checkKeys(o: Obj, allowed: readonly string[], where: string): void {
  for (const [k, v] of Object.entries(o)) {
    if (allowed.includes(k)) continue;
    const empty = v === null || v === undefined || (Array.isArray(v) && v.length === 0);
    if (UNSUPPORTED.includes(k) && empty) continue;
    fail(`${where}.${k}`, v, UNSUPPORTED.includes(k) ? 'is a Timeloop constraint this model does not support' : 'is not a constraint key');
  }
}

const names = (v: unknown, where: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(where, v, 'must be a list of data-space names');
  return v as string[];
};

export function parseLoop(o: Obj, where: string): LoopConstraint {
  return { factors: parseFactorList(o.factors, `${where}.factors`), permutation: parsePermutationList(o.permutation, `${where}.permutation`) };
}

export function parseSpatial(o: Obj, where: string): SpatialConstraint {
  const split = o.split;
  if (split !== undefined && (typeof split !== 'number' || !Number.isInteger(split) || split < 0)) fail(`${where}.split`, split, 'must be a whole number ≥ 0');
  return { ...parseLoop(o, where), ...(split !== undefined ? { split } : {}) };
}

export function parseDataspace(o: Obj, where: string): LevelConstraints {
  const keep = names(o.keep, `${where}.keep`);
  const bypass = names(o.bypass, `${where}.bypass`);
  const both = keep.find((k) => bypass.includes(k));
  if (both !== undefined) fail(where, both, 'is both kept and bypassed');
  return { ...(keep.length ? { keep } : {}), ...(bypass.length ? { bypass } : {}) };
}

/** `constraints:` inline on an arch component: dataspace / temporal (storage) or spatial (fan-out). */
export function parseInline(raw: unknown, where: string): { dataspace?: LevelConstraints; temporal?: LoopConstraint; spatial?: SpatialConstraint } {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) fail(where, raw, 'must be a mapping of dataspace / temporal / spatial');
  checkKeys(raw, ['dataspace', 'temporal', 'spatial'], where);
  const part = (k: string): Obj | undefined => {
    const v = raw[k];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) fail(`${where}.${k}`, v, 'must be a mapping');
    return v;
  };
  const ds = part('dataspace');
  const t = part('temporal');
  const s = part('spatial');
  if (ds) checkKeys(ds, ['keep', 'bypass'], `${where}.dataspace`);
  if (t) checkKeys(t, ['factors', 'permutation'], `${where}.temporal`);
  if (s) checkKeys(s, ['factors', 'permutation', 'split'], `${where}.spatial`);
  return { ...(ds ? { dataspace: parseDataspace(ds, `${where}.dataspace`) } : {}), ...(t ? { temporal: parseLoop(t, `${where}.temporal`) } : {}), ...(s ? { spatial: parseSpatial(s, `${where}.spatial`) } : {}) };
}

/** The spatial constraint of a container, on the level and axes its mesh spreads along. */
export function containerSpatial(sc: SpatialConstraint, name: string, c: ContainerInfo): [number, LevelConstraints] {
  const axis = c.meshX > 1 && c.meshY <= 1 ? 'X' : c.meshY > 1 && c.meshX <= 1 ? 'Y' : undefined;
  if (c.meshX <= 1 && c.meshY <= 1) fail(`${name}.constraints.spatial`, name, 'targets a container without a spatial mesh (no fan-out)');
  return [c.level, { spatial: [{ ...sc, ...(axis ? { axis } : {}), source: name }] }];
}

function listOf(doc: unknown, file: string): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (!isObj(doc)) fail(file, doc, 'must hold mapspace_constraints: {targets: [...]}');
  for (const k of ['mapspace_constraints', 'constraints', 'mapspace', 'architecture_constraints']) {
    if (k in doc) return listOf(doc[k], `${file}: ${k}`);
  }
  if ('targets' in doc) {
    if (!Array.isArray(doc.targets)) fail(`${file}: targets`, doc.targets, 'must be a list');
    return doc.targets;
  }
  fail(file, Object.keys(doc), 'has no mapspace_constraints / constraints / targets list');
}

/** Applies a constraints document to an arch whose containers are known (none for presets). */
export function applyConstraintDoc(arch: ArchSpec, containers: ReadonlyMap<string, ContainerInfo>, doc: unknown, file: string): ArchSpec {
  const add = new Map<number, LevelConstraints>();
  let minUtilization: number | undefined;
  const put = (level: number, c: LevelConstraints, where: string): void => {
    const prev = add.get(level);
    add.set(level, prev ? mergeLevelConstraints(prev, c, where) : c);
  };
  listOf(doc, file).forEach((e, i) => {
    const where = `${file}: targets[${i}]`;
    if (!isObj(e)) fail(where, e, 'must be a mapping with target and type');
    const body = isObj(e.attributes) ? { ...e, ...e.attributes } : e;
    const target = body.target ?? body.name;
    const type = body.type;
    if (typeof target !== 'string') fail(`${where}.target`, target, 'must name a storage level or container');
    const level = arch.levels.findIndex((lv) => lv.name === target);
    const container = containers.get(target);
    const here = `${where} (${target})`;
    if (type === 'utilization' || type === 'parallelism') {
      checkKeys(body, ['target', 'type', 'min', 'attributes'], here);
      const min = Number(body.min);
      if (!(min >= 0 && min <= 1)) fail(`${here}.min`, body.min, 'must be a number in [0, 1]');
      minUtilization = min;
      return;
    }
    if (level < 0 && !container) fail(`${where}.target`, target, `names no storage level or container of the arch (levels: ${arch.levels.map((l) => l.name).join(', ')})`);
    if (type === 'spatial') {
      checkKeys(body, ['target', 'type', 'factors', 'permutation', 'split', 'attributes'], here);
      const sc = parseSpatial(body, here);
      if (container && level < 0) { const [l, c] = containerSpatial(sc, target, container); put(l, { spatial: c.spatial ?? [] }, here); return; }
      if (fanout(arch, level).total <= 1) fail(`${where}.target`, target, 'has no spatial fan-out below it');
      put(level, { spatial: [{ ...sc, source: target }] }, here);
    } else if (type === 'temporal') {
      checkKeys(body, ['target', 'type', 'factors', 'permutation', 'attributes'], here);
      if (level < 0) fail(`${where}.target`, target, 'is a container: temporal constraints need a storage level');
      put(level, { temporal: parseLoop(body, here) }, here);
    } else if (type === 'dataspace' || type === 'datatype' || type === 'bypass' || type === 'bypassing') {
      checkKeys(body, ['target', 'type', 'keep', 'bypass', 'attributes'], here);
      if (level < 0) fail(`${where}.target`, target, 'is a container: keep/bypass needs a storage level');
      put(level, parseDataspace(body, here), here);
    } else {
      fail(`${here}.type`, type, 'must be temporal, spatial, dataspace (bypass, datatype), utilization or parallelism');
    }
  });
  return withConstraints(arch, add, minUtilization);
}

/** Reads `--constraints FILE` and applies it (a missing file or a directory is a config error). */
export function readConstraintFile(file: string, arch: ArchSpec, containers: ReadonlyMap<string, ContainerInfo>): ArchSpec {
  if (!existsSync(file)) throw new ConfigError('--constraints', file, 'no such file');
  if (statSync(file).isDirectory()) throw new ConfigError('--constraints', file, 'is a directory, not a constraints YAML file');
  return applyConstraintDoc(arch, containers, parseHardwareYaml(readFileSync(file, 'utf8'), file), file);
}
