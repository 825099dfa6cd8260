/**
 * The inputs of `nas hw eval`, checked before anything is costed: files that exist (a missing
 * path or a directory is a config error naming the flag and the path), the accelerator with its
 * mapspace (inline constraints, `--constraints FILE`, or `--mapspace free`), the workload, and a
 * given mapping, refused with every violation listed when it cannot run on the hardware
 * (capacity, instances, fan-out), breaks the mapspace constraints or, without --allow-padding,
 * pads a dimension.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ConfigError, HardwareError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';
import { parseLayerJson } from './layer-json.ts';
import { withoutLoopConstraints } from './mapspace/constraints.ts';
import { constraintViolations, paddingViolations } from './mapspace/validate.ts';
import { analyze } from './model/analysis.ts';
import type { Mapping } from './model/mapping.ts';
import { PRESETS, preset } from './presets.ts';
import { readScaleSimTopology } from './scalesim/topology.ts';
import { readTimeloopArch, type TimeloopArch } from './timeloop/arch.ts';
import { readConstraintFile } from './timeloop/constraints.ts';
import { readTimeloopMap } from './timeloop/map.ts';
import type { Problem } from './workload.ts';

export type Mapspace = 'constrained' | 'free';

export interface ArchInputOptions {
  readonly arch: string;
  readonly ert?: string;
  readonly constraints?: string;
  readonly mapspace?: Mapspace;
  readonly macLeakage?: boolean;
}

/** A path given with `flag` that must be an existing file (or directory, for `dir`). */
export function requirePath(flag: string, path: string, kind: 'file' | 'dir' = 'file'): string {
  if (!existsSync(path)) throw new ConfigError(flag, path, `no such ${kind === 'dir' ? 'directory' : 'file'}`);
  const isDir = statSync(path).isDirectory();
  if (kind === 'file' && isDir) throw new ConfigError(flag, path, 'is a directory, not a file');
  if (kind === 'dir' && !isDir) throw new ConfigError(flag, path, 'is a file, not a directory');
  return path;
}

const isArchFile = (spec: string): boolean => /\.(ya?ml|cfg)$/i.test(spec) || spec.includes('/');

/** The accelerator of `--arch` with its mapspace applied, or 'cfg' for SCALE-Sim's systolic mode. */
export function loadArchInput(o: ArchInputOptions): TimeloopArch | 'cfg' {
  if (o.ert !== undefined) requirePath('--ert', o.ert, 'dir');
  if (o.constraints !== undefined && o.mapspace === 'free') throw new ConfigError('--mapspace', 'free', 'contradicts --constraints (a free mapspace ignores them)');
  let ta: TimeloopArch;
  if (isArchFile(o.arch)) {
    requirePath('--arch', o.arch);
    if (/\.cfg$/i.test(o.arch)) {
      if (o.constraints !== undefined) throw new ConfigError('--constraints', o.constraints, 'does not apply to a SCALE-Sim .cfg (systolic mode)');
      return 'cfg';
    }
    if (!/\.ya?ml$/i.test(o.arch)) throw new ConfigError('--arch', o.arch, 'must be a preset name, a Timeloop arch .yaml or a SCALE-Sim .cfg');
    ta = readTimeloopArch(o.arch, o.ert);
    if (ta.arch.mac.energyPj === 0) throw new ConfigError('--ert', o.ert ?? '(beside the arch)', `no ERT_summary.yaml found for ${o.arch}; energies would be 0`);
  } else {
    if (!PRESETS[o.arch]) throw new ConfigError('--arch', o.arch, `is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a .yaml/.cfg file`);
    ta = { arch: preset(o.arch), containers: new Map() };
  }
  let arch = ta.arch;
  if (o.constraints !== undefined) arch = readConstraintFile(requirePath('--constraints', o.constraints), arch, ta.containers);
  if (o.mapspace === 'free') arch = withoutLoopConstraints(arch);
  if (o.macLeakage) arch = { ...arch, macLeakage: true };
  return { arch, containers: ta.containers };
}

/** A SCALE-Sim topology .csv or a LayerSpec .json (a Timeloop problem .yaml is read by the caller). */
export function loadLayers(file: string): LayerSpec[] {
  requirePath('--workload', file);
  if (/\.csv$/i.test(file)) return readScaleSimTopology(file);
  if (/\.json$/i.test(file)) {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError('--workload', file, `cannot read JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return parseLayerJson(v, file);
  }
  throw new ConfigError('--workload', file, 'must be a SCALE-Sim topology .csv, a Timeloop problem .yaml or a LayerSpec .json');
}

/** A given mapping, or a HardwareError (exit 9) listing every reason it cannot be evaluated. */
export function loadMapping(file: string, p: Problem, ta: TimeloopArch, allowPadding = false): Mapping {
  const m = readTimeloopMap(requirePath('--mapping', file), p, ta);
  const problems = [
    ...(allowPadding ? [] : paddingViolations(p, m).map((v) => `${v} — pass --allow-padding to accept it`)),
    ...analyze(p, ta.arch, m).violations,
    ...constraintViolations(p, ta.arch, m),
  ];
  if (problems.length) {
    throw new HardwareError(`mapping ${file} cannot be evaluated on ${ta.arch.name} (${problems.length} violation${problems.length > 1 ? 's' : ''}):\n  - ${problems.join('\n  - ')}`, { file, field: 'mapping', value: problems });
  }
  return m;
}
