/**
 * Reader for the subset of Timeloop v0.4 architecture YAML used by the reference folders
 * (`architecture.nodes` with Container / Component / Parallel entries, `spatial: {meshX, meshY}`,
 * storage attributes depth/width/datawidth/bandwidths, dataspace keep/bypass constraints).
 * Energies and instance counts come from the Accelergy ERT summary next to it and areas from the
 * ART summary, as Timeloop itself would use them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseHardwareYaml } from './yaml.ts';
import { HardwareError } from '../../core/errors.ts';
import { validateArch, type ArchSpec, type MacUnit, type StorageLevel } from '../spec.ts';

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
  /** Container name → index of the nearest storage level above it (for spatial map directives). */
  readonly containers: ReadonlyMap<string, number>;
}

interface RawComp { name: string; cls: string; attrs: Obj; keep?: string[]; bypass?: string[]; mx: number; my: number; containerAbove: string[] }

const isMacClass = (cls: string): boolean => /mac|compute|alu/i.test(cls);

export function parseTimeloopArch(text: string, file = '<arch>', ert?: Map<string, ErtEntry>, art?: Map<string, number>): TimeloopArch {
  // Accelergy's YAML tags (!Container, !Component, …) carry no information the structure lacks.
  const doc: unknown = parseHardwareYaml(text.replace(/!(Container|Component|Parallel|Hierarchical|Nothing)\b/g, ''), file);
  const root = isObj(doc) && isObj(doc.architecture) ? doc.architecture : undefined;
  if (!root || !Array.isArray(root.nodes)) throw new HardwareError(`${file}: architecture.nodes missing`, { file, field: 'architecture.nodes' });
  const comps: RawComp[] = [];
  let clockGHz = 1;
  let mx = 1;
  let my = 1;
  let pending: string[] = [];
  let technologyNm: number | undefined;
  const walk = (nodes: unknown[]): void => {
    for (const n of nodes) {
      if (!isObj(n)) continue;
      if (Array.isArray(n.nodes)) { walk(n.nodes); continue; }
      const attrs = isObj(n.attributes) ? n.attributes : {};
      const tech = /^(\d+(?:\.\d+)?)\s*nm$/.exec(String(attrs.technology ?? '').trim());
      if (tech && technologyNm === undefined) technologyNm = Number(tech[1]);
      if (typeof n.class !== 'string') {
        if (attrs.global_cycle_seconds !== undefined) clockGHz = 1e-9 / num(attrs.global_cycle_seconds, 1e-9);
        const sp = isObj(n.spatial) ? n.spatial : {};
        mx *= num(sp.meshX, 1);
        my *= num(sp.meshY, 1);
        if (typeof n.name === 'string') pending.push(n.name);
        continue;
      }
      const ds = isObj(n.constraints) && isObj(n.constraints.dataspace) ? n.constraints.dataspace : {};
      const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
      comps.push({ name: String(n.name), cls: n.class, attrs, keep: list(ds.keep), bypass: list(ds.bypass), mx, my, containerAbove: pending });
      pending = [];
    }
  };
  walk(root.nodes);
  const macRaw = comps.find((c) => isMacClass(c.cls));
  if (!macRaw) throw new HardwareError(`${file}: no compute component (class *mac*)`, { file, field: 'nodes' });
  const storage = comps.filter((c) => !isMacClass(c.cls));
  const energyOf = (name: string, action: string): number => ert?.get(name)?.actions[action] ?? 0;
  const levelsOuterFirst: StorageLevel[] = storage.map((c) => {
    const width = num(c.attrs.width, num(c.attrs.datawidth, 8));
    const wordBits = num(c.attrs.datawidth, num(c.attrs.word_bits, 8));
    const blockSize = Math.max(1, Math.round(width / wordBits));
    const dram = /dram/i.test(c.cls);
    const depth = num(c.attrs.depth, dram ? Infinity : NaN);
    if (!(depth > 0)) throw new HardwareError(`${file}: ${c.name}.attributes.depth must be > 0`, { file, field: `${c.name}.depth`, value: c.attrs.depth });
    const read = energyOf(c.name, 'read');
    const base = {
      name: c.name, sizeWords: depth * blockSize, wordBits, blockSize,
      instances: ert?.get(c.name)?.instances ?? c.mx * c.my, meshX: c.mx, meshY: c.my,
      readBandwidth: num(c.attrs.read_bandwidth, Infinity), writeBandwidth: num(c.attrs.write_bandwidth, Infinity),
      energy: { read: read / blockSize, write: energyOf(c.name, 'write') / blockSize, update: (ert?.get(c.name)?.actions.update ?? read) / blockSize },
      leakPj: energyOf(c.name, 'leak'), areaUm2: art?.get(c.name) ?? 0,
    };
    return { ...base, ...(c.keep ? { keep: c.keep } : {}), ...(c.bypass ? { bypass: c.bypass } : {}) };
  });
  const levels = levelsOuterFirst.slice().reverse();
  const containers = new Map<string, number>();
  storage.forEach((c, i) => { for (const name of c.containerAbove) containers.set(name, levels.length - i); });
  for (const name of macRaw.containerAbove) containers.set(name, 0);
  const mac: MacUnit = {
    name: macRaw.name, instances: ert?.get(macRaw.name)?.instances ?? macRaw.mx * macRaw.my, meshX: macRaw.mx, meshY: macRaw.my,
    energyPj: energyOf(macRaw.name, 'compute') || energyOf(macRaw.name, 'mac_random'), leakPj: energyOf(macRaw.name, 'leak'),
    areaUm2: art?.get(macRaw.name) ?? 0, bits: num(macRaw.attrs.multiplier_width, num(macRaw.attrs.width, num(macRaw.attrs.datawidth, 8))),
  };
  const arch: ArchSpec = { name: file, levels, mac, clockGHz, ...(technologyNm !== undefined ? { technologyNm } : {}) };
  validateArch(arch);
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
