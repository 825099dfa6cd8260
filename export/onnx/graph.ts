/**
 * Incremental ONNX graph under construction: unique value names, initializers, nodes, and the
 * bookkeeping of which layout each tfjs tensor currently has on the ONNX side. tfjs is NHWC
 * (channels last); ONNX convolutions and pools want NCHW. Values carry their layout, and
 * `as(value, layout)` inserts (and caches) the Transpose that converts between them, so a tensor
 * feeding both a Conv and a Flatten is transposed once per layout at most.
 */
import { ATTR, ONNX_FLOAT, ONNX_INT64 } from './schema.ts';
import type { AttributeMsg, NodeMsg, TensorMsg } from './schema.ts';

/** 'tf' = same axis order as the tfjs tensor; 'nchw' = a rank-4 NHWC tensor held channels-first. */
export type Layout = 'tf' | 'nchw';

export interface Value {
  readonly name: string;
  readonly layout: Layout;
  /** The tfjs shape (NHWC for rank 4), batch as null. */
  readonly shape: readonly (number | null)[];
}

export type AttrValue = number | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] } | string;

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export class OnnxGraph {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  /** A fresh value name derived from `base` (tfjs layer names are unique, but derived ones need suffixes). */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`internal: ONNX value name ${name} used twice`);
    this.used.add(name);
    return name;
  }

  floatInit(base: string, dims: readonly number[], data: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`internal: initializer ${base} has ${data.length} values for dims ${dims.join('x')}`);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    // raw_data is little-endian by the ONNX spec, independent of the host.
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_FLOAT, rawData: bytes });
    return name;
  }

  int64Init(base: string, values: readonly number[]): string {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], dataType: ONNX_INT64, rawData: bytes });
    return name;
  }

  /** Adds a node and returns its (single) output name. */
  node(opType: string, inputs: readonly string[], base: string, attrs: Record<string, AttrValue> = {}): string {
    const out = this.fresh(base);
    this.nodes.push({
      name: this.fresh(`${base}#${opType}`),
      opType,
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** The value in the requested layout, inserting a Transpose on first request. */
  as(v: Value, layout: Layout): Value {
    if (v.layout === layout) return v;
    if (v.shape.length !== 4) throw new Error(`internal: layout change on rank-${v.shape.length} value ${v.name}`);
    const key = `${v.name}->${layout}`;
    const hit = this.transposed.get(key);
    if (hit) return hit;
    const perm = layout === 'nchw' ? TO_NCHW : TO_NHWC;
    const name = this.node('Transpose', [v.name], `${v.name}_${layout === 'nchw' ? 'nchw' : 'nhwc'}`, { perm });
    const out: Value = { name, layout, shape: v.shape };
    this.transposed.set(key, out);
    return out;
  }
}

function attribute(name: string, v: AttrValue): AttributeMsg {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`internal: integer attribute ${name} got ${v}; wrap floats as {float}`);
    return { name, type: ATTR.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: [...(v as readonly number[])] };
  if ('float' in v) return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.FLOATS, floats: [...(v as { floats: readonly number[] }).floats] };
}
