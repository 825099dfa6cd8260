/**
 * Data-parallel sandwich step. The batch is cut into a fixed number of shards; each shard runs the
 * whole sandwich (the same members, its own teacher predictions and its own batch-norm batch
 * statistics) and the shards' gradients are averaged weighted by shard size, which is the full-batch
 * mean gradient, as PyTorch DDP computes it without synchronised BN (Goyal et al. 2017 also normalise
 * per worker). Shards run on the main thread or on worker threads (train-pool.ts): tfjs's wasm backend
 * uses one thread per instance, so that is how a training step uses both cores (DESIGN.md §3).
 *
 * The result depends on the number of shards only — never on which thread ran which shard: every
 * thread runs the same wasm kernels on the same weights, and the average is taken here in shard
 * order. A run resumed with another worker count therefore continues the very same trajectory.
 */
import { tf } from '../runtime/tf.ts';
import type { JsonObject } from '../core/types.ts';
import { batchTensor } from './batches.ts';
import type { ParamStore } from './params.ts';
import { sandwichGradients, type SandwichOptions, type TrainableSupernet } from './sandwich.ts';

/** One shard's images (normalised, augmented, at the dataset's size) and labels. */
export interface ShardBatch {
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The batch is resized to this first; every member's resolution is then taken from it. */
  readonly maxResolution: number;
}

/** A shard's gradients, flat in parameter creation order (ParamStore.flatten's layout). */
export interface ShardGrads {
  readonly grads: Float32Array;
  /** Per parameter: 1 when some member produced a gradient for it (the optimizer skips the others). */
  readonly present: Uint8Array;
  /** Per member, teacher first: mean loss and correct predictions on the shard. */
  readonly losses: number[];
  readonly correct: number[];
}

/** What a shard needs besides the network. */
export interface ShardWork<A> {
  readonly archs: readonly A[];
  readonly numClasses: number;
  readonly options: SandwichOptions;
}

/** Runs shards on other threads; `threads` is how many run at once. */
export interface ShardRunner<A> {
  readonly threads: number;
  run(weights: Float32Array, batch: ShardBatch, work: ShardWork<A>): Promise<ShardGrads>;
}

export interface ParallelStep {
  /** tf variable name → averaged gradient; the caller applies and disposes them. */
  readonly grads: Record<string, tf.Tensor>;
  readonly losses: number[];
  readonly correct: number[];
}

/** Shard sizes of a batch of `count`: as equal as possible, larger ones first, none empty. */
export function shardSizes(count: number, shards: number): number[] {
  const k = Math.max(1, Math.min(shards, count));
  return Array.from({ length: k }, (_, i) => Math.floor(count / k) + (i < count % k ? 1 : 0));
}

export function sliceBatch(batch: ShardBatch, start: number, count: number): ShardBatch {
  const size = batch.height * batch.width * batch.channels;
  return { ...batch, pixels: batch.pixels.slice(start * size, (start + count) * size), labels: batch.labels.slice(start, start + count) };
}

/** The sandwich gradients of one shard, flattened. */
export function shardGradients<A extends JsonObject>(net: TrainableSupernet<A>, batch: ShardBatch, work: ShardWork<A>): ShardGrads {
  const n = batch.labels.length;
  const base = batchTensor(batch, batch.pixels, n, batch.maxResolution);
  const cache = new Map<number, tf.Tensor4D>([[batch.maxResolution, base]]);
  const input = (r: number): tf.Tensor4D => {
    let t = cache.get(r);
    if (!t) cache.set(r, (t = tf.image.resizeBilinear(base, [r, r], true) as tf.Tensor4D));
    return t;
  };
  const labels = tf.tensor1d(batch.labels, 'int32');
  try {
    const res = sandwichGradients(net, work.archs, input, labels, work.numClasses, work.options);
    try {
      return { ...flattenGrads(net.params, res.grads), losses: res.losses, correct: res.correct };
    } finally {
      tf.dispose(Object.values(res.grads));
    }
  } finally {
    tf.dispose([...cache.values(), labels]);
  }
}

function flattenGrads(params: ParamStore, grads: Readonly<Record<string, tf.Tensor>>): Pick<ShardGrads, 'grads' | 'present'> {
  const vars = params.variables();
  const flat = new Float32Array(params.count());
  const present = new Uint8Array(vars.length);
  let off = 0;
  vars.forEach((v, i) => {
    const g = grads[v.name];
    if (g) {
      flat.set(g.dataSync() as Float32Array, off);
      present[i] = 1;
    }
    off += v.size;
  });
  return { grads: flat, present };
}

/** Size-weighted mean of the shards' gradients and losses, summed correct counts, in shard order. */
export function averageShards(parts: readonly ShardGrads[], sizes: readonly number[]): ShardGrads {
  const total = sizes.reduce((s, n) => s + n, 0);
  const first = parts[0] as ShardGrads;
  const grads = new Float32Array(first.grads.length);
  const present = new Uint8Array(first.present.length);
  const losses = first.losses.map(() => 0);
  const correct = first.correct.map(() => 0);
  parts.forEach((p, s) => {
    const w = (sizes[s] as number) / total;
    for (let i = 0; i < grads.length; i++) grads[i] = (grads[i] as number) + w * (p.grads[i] as number);
    for (let i = 0; i < present.length; i++) present[i] = (present[i] as number) | (p.present[i] as number);
    p.losses.forEach((l, m) => (losses[m] = (losses[m] as number) + w * l));
    p.correct.forEach((c, m) => (correct[m] = (correct[m] as number) + c));
  });
  return { grads, present, losses, correct };
}

/**
 * One data-parallel step: shard s runs on the main thread when s is a multiple of the thread count
 * (runner threads + the main thread), else on the runner, so all threads start at once. The weights
 * are flattened for the runner only when some shard goes there.
 */
export async function parallelSandwichStep<A extends JsonObject>(
  net: TrainableSupernet<A>,
  batch: ShardBatch,
  shards: number,
  work: ShardWork<A>,
  runner?: ShardRunner<A>,
): Promise<ParallelStep> {
  const sizes = shardSizes(batch.labels.length, shards);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((s, n) => s + n, 0));
  const threads = 1 + (runner?.threads ?? 0);
  const remote = (s: number) => runner !== undefined && s % threads !== 0;
  const weights = sizes.some((_, s) => remote(s)) ? net.params.flatten() : undefined;
  const pending = sizes.map((n, s) => (remote(s) ? (runner as ShardRunner<A>).run(weights as Float32Array, sliceBatch(batch, starts[s] as number, n), work) : undefined));
  // awaited below; if a local shard throws first, a failing remote one must not surface as unhandled
  for (const p of pending) p?.catch(() => undefined);
  // the main thread's shards, while the runner's threads compute theirs
  const local = sizes.map((n, s) => (remote(s) ? undefined : shardGradients(net, sliceBatch(batch, starts[s] as number, n), work)));
  const parts = await Promise.all(sizes.map((_, s) => local[s] ?? (pending[s] as Promise<ShardGrads>)));
  const avg = averageShards(parts, sizes);
  const grads: Record<string, tf.Tensor> = {};
  let off = 0;
  net.params.variables().forEach((v, i) => {
    if (avg.present[i]) grads[v.name] = tf.tensor(avg.grads.subarray(off, off + v.size), v.shape);
    off += v.size;
  });
  return { grads, losses: avg.losses, correct: avg.correct };
}
