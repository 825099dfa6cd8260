/**
 * Scores subnets on both cores: a pool of worker threads (piscina), each with its own tfjs backend
 * and its own copy of the supernet, fed one subnet per task. tfjs's wasm backend runs one thread per
 * instance, so on this 2-core machine two workers are what "using both cores" means for inference
 * (DESIGN.md §3). Results equal `evaluateSubnet` in the main thread exactly (same seeded calibration
 * images; tested), and come back in the order the archs were given.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ConfigError } from '../core/errors.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { readTrainState } from './checkpoint.ts';
import type { EvalOptions, SubnetScore } from './evaluate.ts';
import type { EvalTask } from './eval-worker.ts';

export interface EvalPoolOptions {
  readonly checkpoint: string;
  /** tfjs backend each worker initialises (the caller's active backend). */
  readonly backend: string;
  /** Worker threads (default: the machine's available parallelism). */
  readonly workers?: number;
}

const ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

export class SubnetEvalPool {
  private readonly pool: Piscina;

  constructor(private readonly opts: EvalPoolOptions) {
    const workers = opts.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new ConfigError('workers', opts.workers, 'must be a positive integer');
    readTrainState(opts.checkpoint); // a bad directory fails here, naming it, not later inside a worker
    this.pool = new Piscina({ filename: ENTRY, workerData: { module: './eval-worker.ts' }, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  }

  get workers(): number {
    return this.pool.options.maxThreads;
  }

  score(arch: MbconvArch, options: EvalOptions = {}, split: 'val' | 'test' = 'val'): Promise<SubnetScore> {
    const task: EvalTask = { checkpoint: this.opts.checkpoint, backend: this.opts.backend, split, arch, options };
    return this.pool.run(task) as Promise<SubnetScore>;
  }

  /** Scores every arch, as many at once as there are workers; `onDone(count)` after each. */
  async scoreAll(archs: readonly MbconvArch[], options: EvalOptions = {}, split: 'val' | 'test' = 'val', onDone?: (done: number) => void): Promise<SubnetScore[]> {
    let done = 0;
    return Promise.all(archs.map(async (a) => {
      const s = await this.score(a, options, split);
      onDone?.(++done);
      return s;
    }));
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
