/**
 * Compiled accelerator cost tables for a search (estimators/accelerator-table.ts), one per
 * accelerator the surrogate strategy pairs networks with: compiled on worker threads (~15 s of
 * mapping per accelerator on one core, both cores in parallel), kept in the on-disk cache so a
 * resumed or repeated search loads them in milliseconds, and served to the strategy's exact-cost
 * port and to the verification (bit-identical to the per-layer estimator, so a trial's stored cost
 * is what the strategy computed).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ConfigError } from '../core/errors.ts';
import { CostModel, accelArch, accelKey, type AccelConfig } from '../hardware/index.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { cachedAcceleratorCost, compileAcceleratorCost, type CompiledAcceleratorCost } from '../estimators/accelerator-table.ts';
import type { ScreenTask, TableTask } from '../estimators/accelerator-table-worker.ts';
import { acceleratorEstimator } from '../estimators/accelerator.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';

/** Where compiled tables are kept: $NAS_CACHE_DIR/accel-cost, else <project>/.cache/accel-cost. */
export function acceleratorCacheDir(): string {
  return join(process.env.NAS_CACHE_DIR || fileURLToPath(new URL('../.cache', import.meta.url)), 'accel-cost');
}

const ENTRY = fileURLToPath(new URL('../supernet/worker-entry.mjs', import.meta.url));

export type TableHw = AccelConfig | string;

export class AcceleratorTables {
  private readonly ready = new Map<string, CompiledAcceleratorCost>();
  private readonly inflight = new Map<string, Promise<void>>();
  private pool: Piscina | undefined;
  private readonly model = new CostModel();
  /** Tables compiled in this process (not loaded from the cache), and their mapping time. */
  readonly stats = { compiled: 0, loaded: 0, compileMs: 0 };

  constructor(
    private readonly space: MbconvSpace,
    private readonly dir: string = acceleratorCacheDir(),
    private readonly workers: number = availableParallelism(),
  ) {}

  /** The space's config as its schema takes it (without the derived maxDepth), for the workers. */
  private get spaceConfig(): Record<string, unknown> {
    const { maxDepth: _derived, ...input } = this.space.config;
    return input;
  }

  static keyOf(hw: TableHw): string {
    return typeof hw === 'string' ? `preset:${hw}` : accelKey(hw);
  }

  /** The table of a prepared accelerator, or undefined. */
  find(hw: TableHw): CompiledAcceleratorCost | undefined {
    return this.ready.get(AcceleratorTables.keyOf(hw));
  }

  get(hw: TableHw): CompiledAcceleratorCost {
    const t = this.find(hw);
    if (!t) throw new ConfigError('hw', AcceleratorTables.keyOf(hw), 'its cost table is not compiled (prepare it first)');
    return t;
  }

  /** Compiles (or loads) the tables of `hws`, in parallel on the worker threads. */
  prepare(hws: readonly TableHw[]): Promise<void> {
    return Promise.all(hws.map((hw) => this.one(hw))).then(() => {});
  }

  private one(hw: TableHw): Promise<void> {
    const key = AcceleratorTables.keyOf(hw);
    if (this.ready.has(key)) return Promise.resolve();
    let p = this.inflight.get(key);
    if (!p) {
      p = this.build(hw).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async build(hw: TableHw): Promise<void> {
    const key = AcceleratorTables.keyOf(hw);
    const spec = typeof hw === 'string' ? hw : accelArch(hw);
    let byWorker = false;
    if (this.workers > 1) {
      const task: TableTask = { kind: 'compile', spaceConfig: this.spaceConfig, hw, dir: this.dir };
      try {
        const done = (await this.threads().run(task)) as { loaded: boolean; buildMs: number };
        byWorker = true;
        if (done.loaded) this.stats.loaded++;
        else {
          this.stats.compiled++;
          this.stats.compileMs += done.buildMs;
        }
      } catch (e) {
        // a cache directory the worker cannot write (EACCES, EROFS, …): compiled below, in this thread
        if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
      }
    }
    let compiled: CompiledAcceleratorCost;
    try {
      const r = cachedAcceleratorCost(this.space, this.model, spec, this.dir);
      compiled = r.compiled;
      if (!byWorker || !r.loaded) {
        if (r.loaded) this.stats.loaded++;
        else {
          this.stats.compiled++;
          this.stats.compileMs += compiled.buildMs;
        }
      }
    } catch {
      compiled = compileAcceleratorCost(this.space, this.model, spec);
      this.stats.compiled++;
      this.stats.compileMs += compiled.buildMs;
    }
    this.ready.set(key, compiled);
  }

  /**
   * The exact accelerator cost of `archs` on each of `hws`, mapped layer by layer on the worker
   * threads (no table is built): figures per accelerator, per arch.
   */
  async screen(hws: readonly AccelConfig[], archs: readonly MbconvArch[]): Promise<Record<string, number>[][]> {
    if (this.workers <= 1) {
      return Promise.all(hws.map((hw) => {
        const estimator = acceleratorEstimator(this.space, this.model, () => accelArch(hw));
        return Promise.all(archs.map(async (a) => ({ ...(await estimator.estimate(a, null)).values })));
      }));
    }
    return Promise.all(hws.map((hw) => this.threads().run({ kind: 'screen', spaceConfig: this.spaceConfig, hw, archs } satisfies ScreenTask) as Promise<Record<string, number>[]>));
  }

  private threads(): Piscina {
    this.pool ??= new Piscina({ filename: ENTRY, workerData: { module: '../estimators/accelerator-table-worker.ts' }, minThreads: 1, maxThreads: this.workers, idleTimeout: 30_000 });
    return this.pool;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
