/**
 * Binary dataset cache: loading it skips re-parsing the source (150 MB of JSON for Fashion-MNIST).
 *
 * Layout (integers little-endian):
 *   bytes 0..7   magic "NASDSET\n"
 *   bytes 8..11  format version (CACHE_VERSION)
 *   bytes 12..15 header length L
 *   16..16+L     UTF-8 JSON header: caller `meta` (e.g. source checksum, seed), `payloadBytes`,
 *                `sha256`, and per dataset its shape, class names and section offsets
 *   then, padded to 8 bytes, the payload: per dataset images (N·H·W·C u8), labels (N u8),
 *   sourceIndex (N u32), each section starting on an 8-byte boundary
 * `sha256` covers the meta, the section descriptions and the payload (version 1 covered only the
 * payload, so an edited shape or class count in the header went unnoticed). Reads verify magic,
 * version, sizes, the section layout and the checksum, so a torn or corrupt file is reported as a
 * DatasetError naming the file (and the loader rebuilds it). Writes go to a temp file that is renamed over the target, so a
 * killed process leaves either the old file or the new one, never a mix.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatasetError } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readBytes, readHead } from './files.ts';
import { makeDataset, type ImageDataset } from './types.ts';

export const CACHE_MAGIC = 'NASDSET\n';
export const CACHE_VERSION = 2;
const PREFIX = 16;

interface Section {
  readonly name: string;
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Byte offsets into the payload. */
  readonly images: number;
  readonly labels: number;
  readonly sourceIndex: number;
}

export interface CacheHeader {
  readonly meta: JsonObject;
  readonly payloadBytes: number;
  /** sha256 of JSON.stringify([meta, datasets]) followed by the payload. */
  readonly sha256: string;
  readonly datasets: readonly Section[];
}

const align8 = (x: number) => Math.ceil(x / 8) * 8;

function layout(datasets: readonly ImageDataset[]): { sections: Section[]; payloadBytes: number } {
  let at = 0;
  const sections = datasets.map((ds) => {
    const images = at;
    const labels = align8(images + ds.images.length);
    const sourceIndex = align8(labels + ds.n);
    at = align8(sourceIndex + 4 * ds.n);
    const { name, n, height, width, channels, numClasses, classNames } = ds;
    return { name, n, height, width, channels, numClasses, classNames: [...classNames], images, labels, sourceIndex };
  });
  return { sections, payloadBytes: at };
}

/** Writes atomically: temp file in the same directory, fsync, rename. */
export function writeDatasetCache(file: string, meta: JsonObject, datasets: readonly ImageDataset[]): void {
  const { sections, payloadBytes } = layout(datasets);
  const payload = new Uint8Array(payloadBytes);
  datasets.forEach((ds, k) => {
    const s = sections[k] as Section;
    payload.set(ds.images, s.images);
    payload.set(ds.labels, s.labels);
    payload.set(new Uint8Array(ds.sourceIndex.buffer, ds.sourceIndex.byteOffset, 4 * ds.n), s.sourceIndex);
  });
  const header: CacheHeader = { meta, payloadBytes, sha256: contentSha256(meta, sections, payload), datasets: sections };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  prefix.write(CACHE_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(CACHE_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  const pad = Buffer.alloc(align8(PREFIX + json.length) - PREFIX - json.length);

  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${process.hrtime.bigint()}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of [prefix, json, pad, payload]) {
        let off = 0;
        while (off < part.length) off += writeSync(fd, part, off, part.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function contentSha256(meta: JsonObject, sections: readonly Section[], payload: Uint8Array): string {
  return createHash('sha256').update(JSON.stringify([meta, sections])).update(payload).digest('hex');
}

function parsePrefix(bytes: Uint8Array, file: string): number {
  if (bytes.length < PREFIX) throw new DatasetError(file, `truncated cache: ${bytes.length} bytes, the header alone needs ${PREFIX}`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, 8) !== CACHE_MAGIC) throw new DatasetError(file, 'wrong magic number: not a nas-codesign dataset cache');
  const version = buf.readUInt32LE(8);
  if (version !== CACHE_VERSION) throw new DatasetError(file, `cache format version ${version}, this build reads ${CACHE_VERSION}`, { version });
  return buf.readUInt32LE(12);
}

function parseHeader(bytes: Uint8Array, file: string, jsonLength: number): CacheHeader {
  if (bytes.length < PREFIX + jsonLength) throw new DatasetError(file, 'truncated cache: header cut off');
  try {
    const h = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + PREFIX, jsonLength).toString('utf8')) as CacheHeader;
    if (typeof h.payloadBytes !== 'number' || typeof h.sha256 !== 'string' || !Array.isArray(h.datasets)) throw new Error('missing fields');
    return h;
  } catch (e) {
    throw new DatasetError(file, `corrupt cache header: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Header only (a few KB read), for counts without loading pixels. */
export function readDatasetCacheHeader(file: string): CacheHeader {
  const head = readHead(file, PREFIX);
  const jsonLength = parsePrefix(head, file);
  return parseHeader(readHead(file, PREFIX + jsonLength), file, jsonLength);
}

export function readDatasetCache(file: string): { header: CacheHeader; datasets: ImageDataset[] } {
  const bytes = readBytes(file);
  const jsonLength = parsePrefix(bytes, file);
  const header = parseHeader(bytes, file, jsonLength);
  const start = align8(PREFIX + jsonLength);
  const have = bytes.length - start;
  if (have !== header.payloadBytes) {
    throw new DatasetError(file, `${have < header.payloadBytes ? 'truncated' : 'oversized'} cache: payload is ${have} bytes, header says ${header.payloadBytes}`);
  }
  const payload = bytes.subarray(start);
  if (contentSha256(header.meta, header.datasets, payload) !== header.sha256) {
    throw new DatasetError(file, 'corrupt cache: checksum mismatch (header or payload changed)');
  }
  const datasets = header.datasets.map((s) => {
    const size = s.n * s.height * s.width * s.channels;
    if (s.sourceIndex + 4 * s.n > payload.length) throw new DatasetError(file, `corrupt cache header: section ${s.name} out of bounds`);
    try {
      return section(s, payload, size);
    } catch (e) {
      throw new DatasetError(file, `corrupt cache header: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { header, datasets };
}

/** One dataset out of the payload; makeDataset's shape checks catch an inconsistent header. */
function section(s: Section, payload: Uint8Array, size: number): ImageDataset {
  // Copies (rather than views) so the datasets own aligned buffers and the file buffer can go.
  const sourceIndex = new Uint32Array(s.n);
  new Uint8Array(sourceIndex.buffer).set(payload.subarray(s.sourceIndex, s.sourceIndex + 4 * s.n));
  return makeDataset({
    name: s.name,
    images: payload.slice(s.images, s.images + size),
    labels: payload.slice(s.labels, s.labels + s.n),
    sourceIndex,
    height: s.height,
    width: s.width,
    channels: s.channels,
    numClasses: s.numClasses,
    classNames: s.classNames,
  });
}
