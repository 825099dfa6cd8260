/**
 * Deterministic, stratified, duplicate-aware splits.
 *
 * Stratified: each class gets its proportional share of the picked side (largest-remainder
 * rounding, so 10,000 from 10 equal classes is exactly 1,000 each). Duplicate-aware: samples with
 * byte-identical pixels form a group that always lands on the same side, so an image cannot be
 * both trained on and evaluated (Fashion-MNIST as shipped holds 54 such pairs, one of them with
 * two different labels). Deterministic: all choices come from the `Rng` passed in.
 */
import { ConfigError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { imageSize, labelHistogram, subset, type ImageDataset } from './types.ts';

/** FNV-1a-style hash of one image, a word at a time when aligned; only a bucket key. */
function hasher(images: Uint8Array, size: number): (i: number) => number {
  if (images.byteOffset % 4 === 0 && size % 4 === 0) {
    const words = new Int32Array(images.buffer, images.byteOffset, images.length >> 2);
    const w = size >> 2;
    return (i) => {
      let h = 0x811c9dc5;
      for (let j = i * w; j < (i + 1) * w; j++) h = Math.imul(h ^ (words[j] as number), 0x01000193);
      return h >>> 0;
    };
  }
  return (i) => {
    let h = 0x811c9dc5;
    for (let j = i * size; j < (i + 1) * size; j++) h = Math.imul(h ^ (images[j] as number), 0x01000193);
    return h >>> 0;
  };
}

/** groups[i] = the first index whose pixels equal sample i's (i itself when unique). */
export function duplicateGroups(images: Uint8Array, size: number): Int32Array {
  const n = Math.floor(images.length / size);
  const groups = new Int32Array(n);
  const buckets = new Map<number, number[]>();
  const hash = hasher(images, size);
  for (let i = 0; i < n; i++) {
    groups[i] = i;
    const h = hash(i);
    const seen = buckets.get(h);
    if (!seen) {
      buckets.set(h, [i]);
      continue;
    }
    const a = images.subarray(i * size, (i + 1) * size);
    const same = seen.find((k) => Buffer.compare(a, images.subarray(k * size, (k + 1) * size)) === 0);
    if (same === undefined) seen.push(i);
    else groups[i] = same;
  }
  return groups;
}

/** Per-class counts summing to `total`, proportional to `hist` (largest remainder, ties → lower class). */
export function proportionalQuota(hist: readonly number[], total: number): number[] {
  const n = hist.reduce((a, b) => a + b, 0);
  if (!Number.isInteger(total) || total < 0 || total > n) throw new ConfigError('size', total, `must be an integer in [0, ${n}]`);
  if (n === 0) return hist.map(() => 0);
  const exact = hist.map((h) => (h * total) / n);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    if ((quota[c] as number) < (hist[c] as number)) {
      quota[c] = (quota[c] as number) + 1;
      left--;
    }
  }
  return quota;
}

/**
 * Marks samples to pick so that class c gets exactly quota[c]. Groups are visited in a seeded
 * random order and taken whole when they fit; throws if duplicates make a quota unreachable.
 */
export function stratifiedPick(labels: Uint8Array, quota: readonly number[], rng: Rng, groups?: Int32Array): Uint8Array {
  const n = labels.length;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups ? (groups[i] as number) : i;
    const m = members.get(g);
    if (m) m.push(i);
    else members.set(g, [i]);
  }
  const remaining = quota.slice();
  let todo = remaining.reduce((a, b) => a + b, 0);
  const picked = new Uint8Array(n);
  const order = Int32Array.from(members.keys());
  rng.shuffleInPlace(order);
  const need = new Map<number, number>();
  for (const g of order) {
    if (todo === 0) break;
    const m = members.get(g) as number[];
    need.clear();
    for (const i of m) need.set(labels[i] as number, (need.get(labels[i] as number) ?? 0) + 1);
    let fits = true;
    for (const [c, k] of need) if (k > (remaining[c] ?? 0)) fits = false;
    if (!fits) continue;
    for (const i of m) picked[i] = 1;
    for (const [c, k] of need) remaining[c] = (remaining[c] as number) - k;
    todo -= m.length;
  }
  if (todo !== 0) throw new ConfigError('quota', quota, `cannot be met exactly (short by ${JSON.stringify(remaining)})`);
  return picked;
}

/** Splits by a mask, keeping the original order on both sides. */
export function splitByMask(ds: ImageDataset, mask: Uint8Array, names: { picked: string; rest: string }): { picked: ImageDataset; rest: ImageDataset } {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ds.n; i++) (mask[i] ? a : b).push(i);
  return { picked: subset(ds, a, names.picked), rest: subset(ds, b, names.rest) };
}

/** 10 % of the training set, at most 5,000 (so 60,000 → 5,000; 1,000 → 100). */
export function defaultValSize(nTrain: number): number {
  return Math.min(5000, Math.round(nTrain * 0.1));
}

export interface ValOptions {
  /** Samples (integer ≥ 1) or a fraction of train (0 < x < 1); 0 disables. Default defaultValSize. */
  readonly size?: number;
  /** Default 0. The split is drawn from `new Rng(seed).fork('val')`. */
  readonly seed?: string | number;
}

export function resolveValSize(nTrain: number, size: number | undefined): number {
  if (size === undefined) return defaultValSize(nTrain);
  if (!Number.isFinite(size) || size < 0) throw new ConfigError('val', size, 'must be a count ≥ 0 or a fraction in (0, 1)');
  const k = size > 0 && size < 1 ? Math.round(nTrain * size) : size;
  if (!Number.isInteger(k) || k >= nTrain) throw new ConfigError('val', size, `must be a whole count below the ${nTrain} training samples`);
  return k;
}

/**
 * Carves a validation set from `train`: stratified, duplicate-aware, drawn from
 * `new Rng(seed).fork('val')`. Both parts keep train's order. Same train + seed + size ⇒ same split.
 */
export function carveValidation(train: ImageDataset, opts: ValOptions = {}): { train: ImageDataset; val: ImageDataset } {
  const k = resolveValSize(train.n, opts.size);
  const base = train.name.replace(/\/train$/, '');
  const names = { picked: `${base}/val`, rest: `${base}/train` };
  if (k === 0) return { train: { ...train, name: names.rest }, val: subset(train, [], names.picked) };
  const quota = proportionalQuota(labelHistogram(train), k);
  const groups = duplicateGroups(train.images, imageSize(train));
  const mask = stratifiedPick(train.labels, quota, new Rng(opts.seed ?? 0).fork('val'), groups);
  const { picked, rest } = splitByMask(train, mask, names);
  return { train: rest, val: picked };
}
