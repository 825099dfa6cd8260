/**
 * Reader for the subset of Timeloop v0.4 architecture YAML used by the reference folders
 * (`architecture.nodes` with Container / Component / Parallel entries, `spatial: {meshX, meshY}`,
 * storage attributes depth/width/datawidth/bandwidths, inline mapspace constraints — see constraints.ts).
 * Energies and instance counts come from the Accelergy ERT summary next to it and areas from the
 * ART summary, as Timeloop itself would use them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, type CollectionTag, type YAMLMap } from 'yaml';
import { parseHardwareYaml } from './yaml.ts';
import { HardwareError } from '../../core/errors.ts';
import { mergeLevelConstraints, withConstraints, type LevelConstraints } from '../mapspace/constraints.ts';
import { fanout, validateArch, type ArchSpec, type MacUnit, type StorageLevel } from '../spec.ts';
import { containerSpatial, parseInline, type ContainerInfo } from './constraints.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : d);

export interface ErtEntry { readonly instances: number; readonly actions: Readonly<Record<string, number>> }

/** Component name → instances and pJ per action (vector access), from an ERT summary. */
export function parseErt(text: string, file = '<ERT>'): Map<string, ErtEntry> {
  const doc: unknown = parseHardwareYaml(text, file);
  const table = isObj(doc) && isObj(doc.ERT_summary) ? doc.ERT_summary.table_summary : undefined;
  if (!Array.isArray(table)) throw new HardwareError(`${file}: ERT_summary.table_summary missing`, { file, field: 'ERT_summary.table_summary' });
  const out = new Map<string, ErtEntry>();
  for (const e of table) {
    if (!isObj(e) || typeof e.name !== 'string') continue;
    const m = /([^.[\]]+)(?:\[1\.\.(\d+)\])?$/.exec(e.name);
    if (!m?.[1]) continue;
    const actions: Record<string, number> = {};
    for (const a of Array.isArray(e.actions) ? e.actions : []) {
      if (isObj(a) && typeof a.name === 'string') actions[a.name] = num(a.energy, 0);
    }
    out.set(m[1], { instances: num(m[2], 1), actions });
  }
  return out;
}

/** Component name → area per instance (µm²), from an ART summary. */
export function parseArt(text: string, file = '<ART>'): Map<string, number> {
  const doc: unknown = parseHardwareYaml(text, file);
  const table = isObj(doc) && isObj(doc.ART_summary) ? doc.ART_summary.table_summary : undefined;
  const out = new Map<string, number>();
  for (const e of Array.isArray(table) ? table : []) {
    if (!isObj(e) || typeof e.name !== 'string') continue;
    const m = /([^.[\]]+)(?:\[[\d.]+\])?$/.exec(e.name);
    if (m?.[1]) out.set(m[1], num(e.area, 0));
  }
  return out;
}

export interface TimeloopArch {
  readonly arch: ArchSpec;
  /** Container name (and Timeloop's `inter_<name>_spatial`) → the level its fan-out lands in, and its mesh. */
  readonly containers: ReadonlyMap<string, ContainerInfo>;
}

interface RawComp { name: string; cls: string; attrs: Obj; constraints: unknown; inParallel: boolean; mx: number; my: number }
interface RawContainer { name: string; constraints: unknown; mx: number; my: number; before: number }

const isMacClass = (cls: string): boolean => /mac|compute|alu/i.test(cls);

// Accelergy's YAML tags: !Parallel matters (each branch keeps only what it names), the others not.
const TAGS = ['Container', 'Component', 'Parallel', 'Hierarchical', 'Nothing'].map((t): CollectionTag => ({
  tag: `!${t}`, collection: 'map', resolve: (m) => { if (isMap(m)) (m as unknown as YAMLMap<string, string>).set('__tag', t); return m; },
}));

export function parseTimeloopArch(text: string, file = '<arch>', ert?: Map<string, ErtEntry>, art?: Map<string, number>): TimeloopArch {
  const doc: unknown = parseHardwareYaml(text, file, { customTags: TAGS });
  const root = isObj(doc) && isObj(doc.architecture) ? doc.architecture : undefined;
  if (!root || !Array.isArray(root.nodes)) throw new HardwareError(`${file}: architecture.nodes missing`, { file, field: 'architecture.nodes' });
  const comps: RawComp[] = [];
  const conts: RawContainer[] = [];
  let clockGHz = 1;
  let mx = 1;
  let my = 1;
  let technologyNm: number | undefined;
  const walk = (nodes: unknown[], inParallel: boolean): void => {
    for (const n of nodes) {
      if (!isObj(n)) continue;
      if (Array.isArray(n.nodes)) { walk(n.nodes, n.__tag === 'Parallel'); continue; }
      const attrs = isObj(n.attributes) ? n.attributes : {};
      const tech = /^(\d+(?:\.\d+)?)\s*nm$/.exec(String(attrs.technology ?? '').trim());
      if (tech && technologyNm === undefined) technologyNm = Number(tech[1]);
      if (typeof n.class !== 'string') {
        if (attrs.global_cycle_seconds !== undefined) clockGHz = 1e-9 / num(attrs.global_cycle_seconds, 1e-9);
        const sp = isObj(n.spatial) ? n.spatial : {};
        mx *= num(sp.meshX, 1);
        my *= num(sp.meshY, 1);
        if (typeof n.name === 'string') conts.push({ name: n.name, constraints: n.constraints, mx: num(sp.meshX, 1), my: num(sp.meshY, 1), before: comps.length });
        continue;
      }
      comps.push({ name: String(n.name), cls: n.class, attrs, constraints: n.constraints, inParallel, mx, my });
    }
  };
  walk(root.nodes, false);
  const macRaw = comps.find((c) => isMacClass(c.cls));
  if (!macRaw) throw new HardwareError(`${file}: no compute component (class *mac*)`, { file, field: 'nodes' });
  const storage = comps.filter((c) => !isMacClass(c.cls));
  const energyOf = (name: string, action: string): number => ert?.get(name)?.actions[action] ?? 0;
  const levelsOuterFirst: StorageLevel[] = storage.map((c) => {
    const width = num(c.attrs.width, num(c.attrs.datawidth, 8));
    const wordBits = num(c.attrs.datawidth, num(c.attrs.word_bits, 8));
    const blockSize = Math.max(1, Math.round(width / wordBits));
    // Timeloop: a `width`-bit vector is shared by a cluster of `cluster_size` instances, so each
    // holds depth × blockSize / cluster_size words (simba_like's PEWeightRegs: 1 word, not 64).
    const perInstance = Math.max(1, Math.round(blockSize / num(c.attrs.cluster_size, 1)));
    const dram = /dram/i.test(c.cls);
    const depth = num(c.attrs.depth, dram ? Infinity : NaN);
    if (!(depth > 0)) throw new HardwareError(`${file}: ${c.name}.attributes.depth must be > 0`, { file, field: `${c.name}.depth`, value: c.attrs.depth });
    const read = energyOf(c.name, 'read');
    const inline = parseInline(c.constraints, `${file}: ${c.name}.constraints`);
    if (inline.spatial) throw new HardwareError(`${file}: ${c.name}.constraints.spatial: put spatial constraints on the container that holds the mesh`, { file, field: `${c.name}.constraints.spatial` });
    const constraints: LevelConstraints = {
      ...(inline.dataspace ?? {}), ...(c.inParallel ? { keepOnly: true } : {}), ...(inline.temporal ? { temporal: inline.temporal } : {}),
    };
    return {
      name: c.name, sizeWords: depth * perInstance, wordBits, blockSize,
      instances: ert?.get(c.name)?.instances ?? c.mx * c.my, meshX: c.mx, meshY: c.my,
      readBandwidth: num(c.attrs.read_bandwidth, Infinity), writeBandwidth: num(c.attrs.write_bandwidth, Infinity),
      energy: { read: read / blockSize, write: energyOf(c.name, 'write') / blockSize, update: (ert?.get(c.name)?.actions.update ?? read) / blockSize },
      leakPj: energyOf(c.name, 'leak'), areaUm2: art?.get(c.name) ?? 0,
      ...(Object.keys(constraints).length ? { constraints } : {}),
    };
  });
  const levels = levelsOuterFirst.slice().reverse();
  const mac: MacUnit = {
    name: macRaw.name, instances: ert?.get(macRaw.name)?.instances ?? macRaw.mx * macRaw.my, meshX: macRaw.mx, meshY: macRaw.my,
    energyPj: energyOf(macRaw.name, 'compute') || energyOf(macRaw.name, 'mac_random'), leakPj: energyOf(macRaw.name, 'leak'),
    areaUm2: art?.get(macRaw.name) ?? 0, bits: num(macRaw.attrs.multiplier_width, num(macRaw.attrs.width, num(macRaw.attrs.datawidth, 8))),
  };
  let arch: ArchSpec = { name: file, levels, mac, clockGHz, ...(technologyNm !== undefined ? { technologyNm } : {}) };
  validateArch(arch);
  const containers = new Map<string, ContainerInfo>();
  const spatial = new Map<number, LevelConstraints>();
  for (const c of conts) {
    // The storage level just above the container; its fan-out is the first at or above it.
    const above = storage.filter((s) => comps.indexOf(s) < c.before).length;
    if (above === 0) continue;
    let level = levels.length - above;
    while (level < levels.length - 1 && fanout(arch, level).total <= 1) level++;
    const info = { level, meshX: c.mx, meshY: c.my };
    containers.set(c.name, info);
    containers.set(`inter_${c.name}_spatial`, info);
    const inline = parseInline(c.constraints, `${file}: ${c.name}.constraints`);
    if (inline.temporal) throw new HardwareError(`${file}: ${c.name}.constraints.temporal: a container has no storage; put temporal constraints on a component`, { file, field: `${c.name}.constraints.temporal` });
    if (inline.spatial) {
      const [l, add] = containerSpatial(inline.spatial, c.name, info);
      const prev = spatial.get(l);
      spatial.set(l, prev ? mergeLevelConstraints(prev, add, `${file}: ${c.name}`) : add);
    }
  }
  if (spatial.size) arch = withConstraints(arch, spatial);
  return { arch, containers };
}

/** Reads an arch YAML plus the first *ERT_summary.yaml / *ART_summary.yaml found beside it or in ert/artDir. */
export function readTimeloopArch(file: string, summaryDir?: string): TimeloopArch {
  const dirs = [summaryDir, dirname(file)].filter((d): d is string => d !== undefined);
  const find = (suffix: string): string | undefined => {
    for (const d of dirs) {
      for (const pre of ['timeloop-mapper.', 'timeloop-model.', '']) {
        const f = join(d, `${pre}${suffix}`);
        if (existsSync(f)) return f;
      }
    }
    return undefined;
  };
  const ertFile = find('ERT_summary.yaml');
  const artFile = find('ART_summary.yaml');
  return parseTimeloopArch(
    readFileSync(file, 'utf8'), file,
    ertFile ? parseErt(readFileSync(ertFile, 'utf8'), ertFile) : undefined,
    artFile ? parseArt(readFileSync(artFile, 'utf8'), artFile) : undefined,
  );
}
