/**
 * IDX files (the MNIST container): 2 zero bytes, an element-type byte, a dimension-count byte,
 * one big-endian uint32 per dimension, then the elements row-major. Format as published with
 * MNIST (yann.lecun.com/exdb/mnist, "THE IDX FILE FORMAT"). Only unsigned-byte elements (0x08)
 * are accepted: every image/label set we load stores uint8. `.gz` files are gunzipped.
 */
import { DatasetError } from '../core/errors.ts';
import { readHead, readMaybeGzip } from './files.ts';
import { makeDataset, type ImageDataset } from './types.ts';

export const IDX_UBYTE = 0x08;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

function hex(n: number, width: number): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** Parses the header only; `bytes` may be just the start of the file. */
export function parseIdxHeader(bytes: Uint8Array, file: string): { dims: number[]; headerBytes: number } {
  if (bytes.length < 4) throw new DatasetError(file, `truncated: ${bytes.length} bytes, an IDX header needs at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(file, `wrong magic number ${hex(magic, 8)}: not an IDX file (IDX starts with 0x0000, then type and rank)`, { magic });
  }
  const type = bytes[2] as number;
  if (type !== IDX_UBYTE) {
    const known = TYPE_NAMES[type];
    throw new DatasetError(
      file,
      known ? `unsupported IDX element type ${hex(type, 2)} (${known}); only unsigned bytes (0x08) are supported` : `wrong magic number ${hex(magic, 8)}: unknown IDX element type ${hex(type, 2)}`,
      { magic },
    );
  }
  const rank = bytes[3] as number;
  if (rank === 0) throw new DatasetError(file, `wrong magic number ${hex(magic, 8)}: IDX rank 0`, { magic });
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetError(file, `truncated: header declares ${rank} dimensions (${headerBytes} bytes) but the file has ${bytes.length} bytes`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, headerBytes };
}

/** Parses a whole uint8 IDX file; the data is a view into `bytes` (no copy). */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const { dims, headerBytes } = parseIdxHeader(bytes, file);
  const count = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerBytes;
  if (have < count) {
    throw new DatasetError(file, `truncated: header declares ${dims.join('×')} = ${count} data bytes but only ${have} are present`, { dims, expected: count, actual: have });
  }
  if (have > count) {
    throw new DatasetError(file, `${have - count} unexpected bytes after the ${dims.join('×')} data declared by the header`, { dims, expected: count, actual: have });
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

export function readIdx(file: string): IdxArray {
  return parseIdx(readMaybeGzip(file), file);
}

/** Dimensions without reading the data (plain files read 16 bytes; gzip needs a full inflate). */
export function readIdxDims(file: string): number[] {
  const bytes = file.endsWith('.gz') ? readMaybeGzip(file) : readHead(file, 4 + 4 * 4);
  return parseIdxHeader(bytes, file).dims;
}

export function encodeIdx(dims: readonly number[], data: Uint8Array): Buffer {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new DatasetError('<memory>', `data has ${data.length} bytes, dims ${dims.join('×')} need ${count}`);
  const out = Buffer.alloc(4 + 4 * dims.length + count);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export interface IdxPairPaths {
  readonly images: string;
  readonly labels: string;
}

export interface IdxPairOptions {
  readonly name?: string;
  /** Reject images whose size differs (e.g. a 32×32 file where a 28×28 model expects MNIST). */
  readonly expect?: { readonly height?: number; readonly width?: number; readonly channels?: number };
  /** Labels must lie in [0, numClasses); default: the largest label + 1, at least 10. */
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
}

/**
 * Images: idx3 [n, rows, cols] (one channel) or idx4 [n, rows, cols, channels]; labels: idx1 [n].
 * sourceIndex = position in the file.
 */
export function loadIdxPair(paths: IdxPairPaths, opts: IdxPairOptions = {}): ImageDataset {
  const img = readIdx(paths.images);
  if (img.dims.length !== 3 && img.dims.length !== 4) {
    throw new DatasetError(paths.images, `expected an idx3 image file (count×rows×cols), found rank ${img.dims.length} (${img.dims.join('×')})`, { dims: img.dims });
  }
  const [n, height, width, channels = 1] = img.dims as [number, number, number, number?];
  const lab = readIdx(paths.labels);
  if (lab.dims.length !== 1) {
    throw new DatasetError(paths.labels, `expected an idx1 label file (count), found rank ${lab.dims.length} (${lab.dims.join('×')})`, { dims: lab.dims });
  }
  if (lab.dims[0] !== n) {
    throw new DatasetError(paths.labels, `label count ${lab.dims[0]} does not match image count ${n} in ${paths.images}`, { labels: lab.dims[0], images: n });
  }
  const want = opts.expect ?? {};
  const wrong = (['height', 'width', 'channels'] as const).filter((k) => want[k] !== undefined && want[k] !== { height, width, channels }[k]);
  if (wrong.length > 0 || height === 0 || width === 0) {
    const exp = `${want.height ?? '*'}×${want.width ?? '*'}×${want.channels ?? '*'}`;
    throw new DatasetError(paths.images, `wrong image size ${height}×${width}×${channels}, expected ${exp}`, { height, width, channels, expected: want });
  }
  let maxLabel = 0;
  for (const l of lab.data) if (l > maxLabel) maxLabel = l;
  const numClasses = opts.numClasses ?? Math.max(10, maxLabel + 1);
  if (maxLabel >= numClasses) {
    const at = lab.data.findIndex((l) => l >= numClasses);
    throw new DatasetError(paths.labels, `label ${lab.data[at]} at index ${at} is outside [0, ${numClasses})`, { index: at, label: lab.data[at] });
  }
  return makeDataset({
    name: opts.name ?? 'idx',
    images: img.data.slice(),
    labels: lab.data.slice(),
    height,
    width,
    channels,
    numClasses,
    classNames: opts.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i)),
  });
}
