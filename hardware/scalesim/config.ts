/**
 * Reader for SCALE-Sim v2 `.cfg` files (INI sections [general], [architecture_presets],
 * [run_presets]; `key : value` or `key = value`, values may carry trailing spaces).
 */
import { readFileSync } from 'node:fs';
import { HardwareError } from '../../core/errors.ts';
import { DATAFLOWS, DEFAULT_CLOCK_HZ, DEFAULT_WORD_BITS } from '../systolic/types.ts';
import type { Dataflow, SystolicConfig } from '../systolic/types.ts';

export interface ConfigOptions {
  readonly clockHz?: number;
  readonly wordBits?: number;
}

type Sections = Map<string, Map<string, string>>;

function parseIni(text: string, file: string): Sections {
  const sections: Sections = new Map();
  let current = '';
  sections.set(current, new Map());
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') return;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = (sec[1] ?? '').trim().toLowerCase();
      if (!sections.has(current)) sections.set(current, new Map());
      return;
    }
    const kv = /^([^:=]+)[:=](.*)$/.exec(line);
    if (!kv) throw new HardwareError(`${file}:${i + 1}: cannot parse line ${JSON.stringify(raw)}`, { file, line: i + 1 });
    sections.get(current)?.set((kv[1] ?? '').trim().toLowerCase(), (kv[2] ?? '').trim());
  });
  return sections;
}

export function parseScaleSimConfig(text: string, file = '<cfg>', options: ConfigOptions = {}): SystolicConfig {
  const ini = parseIni(text, file);
  const arch = ini.get('architecture_presets');
  if (!arch) throw new HardwareError(`${file}: missing section [architecture_presets]`, { file, key: 'architecture_presets' });
  const run = ini.get('run_presets') ?? new Map<string, string>();
  const general = ini.get('general') ?? new Map<string, string>();

  const raw = (section: Map<string, string>, key: string): string => {
    const v = section.get(key.toLowerCase());
    if (v === undefined || v === '') throw new HardwareError(`${file}: missing key ${key}`, { file, key });
    return v;
  };
  const num = (key: string, min: number): number => {
    const text = raw(arch, key);
    const v = Number(text);
    if (!Number.isFinite(v) || v < min) {
      throw new HardwareError(`${file}: ${key} must be a number >= ${min} (got ${JSON.stringify(text)})`, { file, key, value: text });
    }
    return v;
  };
  const int = (key: string, min: number): number => {
    const v = num(key, min);
    if (!Number.isInteger(v)) throw new HardwareError(`${file}: ${key} must be an integer (got ${v})`, { file, key, value: v });
    return v;
  };

  const dataflowText = raw(arch, 'Dataflow').toLowerCase();
  if (!(DATAFLOWS as readonly string[]).includes(dataflowText)) {
    throw new HardwareError(`${file}: Dataflow must be one of os, ws, is (got ${JSON.stringify(dataflowText)})`, {
      file,
      key: 'Dataflow',
      value: dataflowText,
    });
  }
  const ifText = (run.get('interfacebandwidth') ?? 'CALC').toUpperCase();
  if (ifText !== 'CALC' && ifText !== 'USER') {
    throw new HardwareError(`${file}: InterfaceBandwidth must be CALC or USER (got ${JSON.stringify(ifText)})`, {
      file,
      key: 'InterfaceBandwidth',
      value: ifText,
    });
  }
  const clockHz = options.clockHz ?? DEFAULT_CLOCK_HZ;
  const wordBits = options.wordBits ?? DEFAULT_WORD_BITS;
  if (!(clockHz > 0)) throw new HardwareError(`${file}: clockHz must be > 0 (got ${clockHz})`, { file, key: 'clockHz', value: clockHz });
  if (!Number.isInteger(wordBits) || wordBits < 1) {
    throw new HardwareError(`${file}: wordBits must be a positive integer (got ${wordBits})`, { file, key: 'wordBits', value: wordBits });
  }
  return {
    name: general.get('run_name') ?? file,
    rows: int('ArrayHeight', 1),
    cols: int('ArrayWidth', 1),
    ifmapSramKb: num('IfmapSramSzkB', 0),
    filterSramKb: num('FilterSramSzkB', 0),
    ofmapSramKb: num('OfmapSramSzkB', 0),
    ifmapOffset: int('IfmapOffset', 0),
    filterOffset: int('FilterOffset', 0),
    ofmapOffset: int('OfmapOffset', 0),
    dataflow: dataflowText as Dataflow,
    bandwidth: num('Bandwidth', 0),
    memoryBanks: int('MemoryBanks', 1),
    interfaceBandwidth: ifText,
    clockHz,
    wordBits,
  };
}

export function readScaleSimConfig(path: string, options: ConfigOptions = {}): SystolicConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HardwareError(`${path}: cannot read SCALE-Sim config (${(e as Error).message})`, { file: path });
  }
  return parseScaleSimConfig(text, path, options);
}
