/**
 * Worker threads for data-parallel supernet training (data-parallel.ts): a piscina pool whose
 * threads each hold a replica of the supernet and compute one shard's gradients per task from the
 * weights sent with it. The main thread computes its own shards meanwhile, so a pool of
 * `cores − 1` threads keeps every core busy.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ConfigError } from '../core/errors.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import type { ShardBatch, ShardGrads, ShardRunner, ShardWork } from './data-parallel.ts';
import type { SupernetOptions } from './mbconv-supernet.ts';
import type { TrainShardTask } from './train-worker.ts';

export interface TrainPoolOptions {
  /** tfjs backend each thread initialises (the caller's active backend). */
  readonly backend: string;
  readonly spaceConfig: Record<string, unknown>;
  readonly supernetOptions: SupernetOptions;
  /** Worker threads besides the main thread. */
  readonly threads: number;
}

const ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

export class TrainShardPool implements ShardRunner<MbconvArch> {
  private readonly pool: Piscina;
  readonly threads: number;

  constructor(private readonly opts: TrainPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new ConfigError('threads', opts.threads, 'must be a positive integer');
    this.threads = opts.threads;
    this.pool = new Piscina({ filename: ENTRY, workerData: { module: './train-worker.ts' }, minThreads: opts.threads, maxThreads: opts.threads, idleTimeout: 60_000 });
  }

  run(weights: Float32Array, batch: ShardBatch, work: ShardWork<MbconvArch>): Promise<ShardGrads> {
    const task: TrainShardTask = { backend: this.opts.backend, spaceConfig: this.opts.spaceConfig, supernetOptions: this.opts.supernetOptions, weights, batch, work };
    return this.pool.run(task) as Promise<ShardGrads>;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
