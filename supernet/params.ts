/**
 * Named trainable tensors of a supernet, created deterministically from an Rng and saved to /
 * loaded from a single binary checkpoint file (a JSON header with names, shapes and offsets, then
 * float32 data). A checkpoint carries its own sha256 so the database can reference it by path + hash.
 */
import { createHash } from 'node:crypto';
import { tf } from '../runtime/tf.ts';
import type { Rng } from '../core/rng.ts';
import { ConfigError } from '../core/errors.ts';

export type Init = 'he' | 'zeros' | 'ones' | 'identity' | { readonly normal: number };

/**
 * tfjs registers variables under globally unique names, so each store suffixes its own id
 * (`stem.w@3`): several supernets (a resumed copy, an extraction check) can live side by side.
 * Checkpoints and optimizer state use the plain parameter name (`paramName`).
 */
let nextStoreId = 0;

export function paramName(variableName: string): string {
  const at = variableName.lastIndexOf('@');
  return at < 0 ? variableName : variableName.slice(0, at);
}

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly id = nextStoreId++;

  /** Creates a parameter; the name must be new. Values come from `rng` so the same seed gives the same weights. */
  create(name: string, shape: readonly number[], init: Init, rng: Rng, fanIn = 1): tf.Variable {
    if (this.vars.has(name)) throw new ConfigError('param', name, 'is defined twice');
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init === 'identity') {
      const n = shape[0] as number;
      for (let i = 0; i < n; i++) values[i * n + i] = 1;
    } else if (init !== 'zeros') {
      const std = init === 'he' ? Math.sqrt(2 / fanIn) : init.normal;
      for (let i = 0; i < size; i++) values[i] = rng.normal(0, std);
    }
    const t = tf.tensor(values, shape as number[]);
    const v = tf.variable(t, true, `${name}@${this.id}`);
    t.dispose();
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new ConfigError('param', name, 'is not defined');
    return v;
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Every parameter's values in creation order, one buffer: how replicas in worker threads get the weights. */
  flatten(): Float32Array {
    const out = new Float32Array(this.count());
    let off = 0;
    for (const v of this.vars.values()) {
      out.set(v.dataSync() as Float32Array, off);
      off += v.size;
    }
    return out;
  }

  /** Overwrites every parameter from a `flatten` buffer of a supernet with the same parameters. */
  assignFlat(values: Float32Array): void {
    if (values.length !== this.count()) throw new ConfigError('weights', values.length, `expected ${this.count()} values`);
    let off = 0;
    for (const v of this.vars.values()) {
      const t = tf.tensor(values.subarray(off, off + v.size), v.shape);
      v.assign(t);
      t.dispose();
      off += v.size;
    }
  }

  /** Serialises every parameter in creation order. */
  serialize(extra: Readonly<Record<string, unknown>> = {}): Buffer {
    return packTensors(
      this.names().map((name) => ({ name, shape: this.get(name).shape, data: this.get(name).dataSync() as Float32Array })),
      extra,
    );
  }

  /** Loads values saved by `serialize`; names and shapes must match exactly. */
  load(buf: Buffer, file = '(buffer)'): Record<string, unknown> {
    const { entries, extra } = unpackTensors(buf, file);
    const names = new Set(this.names());
    for (const e of entries) {
      const v = this.vars.get(e.name);
      if (!v) throw new ConfigError(`${file}: param`, e.name, 'is not part of this supernet');
      if (v.shape.join(',') !== e.shape.join(',')) {
        throw new ConfigError(`${file}: param ${e.name} shape`, e.shape, `expected [${v.shape.join(',')}]`);
      }
      const t = tf.tensor(e.data, e.shape as number[]);
      v.assign(t);
      t.dispose();
      names.delete(e.name);
    }
    if (names.size > 0) throw new ConfigError(`${file}: params`, [...names].slice(0, 5), 'missing from the checkpoint');
    return extra;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

const MAGIC = 'NASCKPT1';

export interface PackedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Binary layout: MAGIC(8) | headerLength u32 LE | header JSON | pad to 4 | float32 data. */
export function packTensors(entries: readonly PackedTensor[], extra: Readonly<Record<string, unknown>> = {}): Buffer {
  let offset = 0;
  const index = entries.map((e) => {
    const item = { name: e.name, shape: e.shape, offset, length: e.data.length };
    offset += e.data.length;
    return item;
  });
  const header = Buffer.from(JSON.stringify({ index, extra }), 'utf8');
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const buf = Buffer.alloc(dataStart + offset * 4);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  const f32 = new Float32Array(buf.buffer, buf.byteOffset + dataStart, offset);
  for (const [i, e] of entries.entries()) f32.set(e.data, (index[i] as { offset: number }).offset);
  return buf;
}

export function unpackTensors(buf: Buffer, file: string): { entries: PackedTensor[]; extra: Record<string, unknown> } {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new ConfigError('checkpoint', file, 'is not a nas-codesign checkpoint (bad magic)');
  }
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw new ConfigError('checkpoint', file, 'is truncated (header)');
  const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as {
    index: { name: string; shape: number[]; offset: number; length: number }[];
    extra: Record<string, unknown>;
  };
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  const total = header.index.reduce((n, e) => n + e.length, 0);
  if (dataStart + total * 4 > buf.length) throw new ConfigError('checkpoint', file, 'is truncated (data)');
  const aligned = Buffer.from(buf.subarray(dataStart, dataStart + total * 4));
  const f32 = new Float32Array(aligned.buffer, aligned.byteOffset, total);
  const entries = header.index.map((e) => ({ name: e.name, shape: e.shape, data: f32.slice(e.offset, e.offset + e.length) }));
  return { entries, extra: header.extra };
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
