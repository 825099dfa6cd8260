/**
 * Reader for SCALE-Sim topology CSV files (conv layers: Layer name, IFMAP Height, IFMAP Width,
 * Filter Height, Filter Width, Channels, Num Filter, Strides, ...).
 *
 * SCALE-Sim semantics are kept as-is: no padding, one group, output size
 * E = ceil((H − R + s) / s) (SCALE-Sim v2 topology_utils), batch 1. Its mobilenet.csv encodes
 * depthwise layers as ordinary convolutions with one filter; those stay ordinary convolutions here,
 * so the systolic mode reproduces SCALE-Sim's numbers for them.
 */
import { readFileSync } from 'node:fs';
import { HardwareError } from '../../core/errors.ts';
import type { LayerBits, LayerKind, LayerSpec } from '../../core/types.ts';

const COLUMNS = {
  name: 'layer name',
  h: 'ifmap height',
  w: 'ifmap width',
  r: 'filter height',
  s: 'filter width',
  c: 'channels',
  m: 'num filter',
  stride: 'strides',
} as const;

type Field = keyof typeof COLUMNS;

export interface TopologyOptions {
  /** Bits of every tensor (SCALE-Sim has none; its SRAM sizes assume one-byte words). */
  readonly bits?: number;
}

/** SCALE-Sim's output size for a valid (unpadded) convolution. */
export function scaleSimOutputSize(input: number, kernel: number, stride: number): number {
  return Math.ceil((input - kernel + stride) / stride);
}

function splitRow(line: string): string[] {
  const cells = line.split(',').map((c) => c.trim());
  while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

export function parseScaleSimTopology(text: string, file = '<topology>', options: TopologyOptions = {}): LayerSpec[] {
  const bitsValue = options.bits ?? 8;
  const bits: LayerBits = { weights: bitsValue, inputs: bitsValue, outputs: bitsValue };
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: l, no: i + 1 })).filter((l) => l.line.trim() !== '');
  const head = lines[0];
  if (!head) throw new HardwareError(`${file}: empty topology file`, { file });
  const header = splitRow(head.line).map((h) => h.toLowerCase().replace(/\s+/g, ' '));
  const index = {} as Record<Field, number>;
  for (const [field, title] of Object.entries(COLUMNS) as [Field, string][]) {
    const i = header.indexOf(title);
    if (i < 0) throw new HardwareError(`${file}: missing column "${title}" in the header`, { file, column: title, header });
    index[field] = i;
  }
  const layers: LayerSpec[] = [];
  for (const { line, no } of lines.slice(1)) {
    const cells = splitRow(line);
    const num = (field: Exclude<Field, 'name'>): number => {
      const raw = cells[index[field]];
      const v = raw === undefined ? Number.NaN : Number(raw);
      if (!Number.isInteger(v) || v < 1) {
        throw new HardwareError(`${file}:${no}: column "${COLUMNS[field]}" must be a positive integer (got ${JSON.stringify(raw ?? '')})`, {
          file,
          line: no,
          column: COLUMNS[field],
          value: raw,
        });
      }
      return v;
    };
    const name = cells[index.name] ?? '';
    if (name === '') throw new HardwareError(`${file}:${no}: empty layer name`, { file, line: no });
    const h = num('h');
    const w = num('w');
    const r = num('r');
    const s = num('s');
    const stride = num('stride');
    if (r > h || s > w) {
      throw new HardwareError(`${file}:${no}: filter ${r}x${s} larger than the ${h}x${w} input of layer ${name}`, { file, line: no, layer: name });
    }
    const kind: LayerKind = r === 1 && s === 1 ? (h === 1 && w === 1 ? 'fc' : 'pointwise') : 'conv';
    layers.push({
      name,
      kind,
      n: 1,
      c: num('c'),
      m: num('m'),
      h,
      w,
      p: scaleSimOutputSize(h, r, stride),
      q: scaleSimOutputSize(w, s, stride),
      r,
      s,
      stride,
      groups: 1,
      padding: 0,
      bits,
    });
  }
  if (layers.length === 0) throw new HardwareError(`${file}: no layers after the header`, { file });
  return layers;
}

export function readScaleSimTopology(path: string, options: TopologyOptions = {}): LayerSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HardwareError(`${path}: cannot read topology file (${(e as Error).message})`, { file: path });
  }
  return parseScaleSimTopology(text, path, options);
}
