/**
 * The Estimator contract (docs/architecture.md §2): a pure function of `(arch, hw?)` with declared objective
 * names and units. Because it is pure, results can be cached by the candidate's canonical key —
 * `cachedEstimator` does that with a bounded LRU, sharing in-flight promises so concurrent callers
 * of one key run the estimate once.
 */
import { LRUCache } from 'lru-cache';
import type { Arch, HwConfig, JsonObject, Metrics, Objective } from '../core/types.ts';
import { ConfigError } from '../core/errors.ts';

export interface Estimate {
  /** One value per declared objective name. */
  readonly values: Metrics;
  /** Optional per-layer breakdown (name + figures), for the UI and export bundles. */
  readonly perLayer?: readonly JsonObject[];
  /** Where the figures come from, e.g. 'counters', 'lut:wasm/tfjs-4.22.0', 'hardware:eyeriss'. */
  readonly provenance: string;
}

export interface Estimator {
  readonly name: string;
  readonly objectives: readonly Objective[];
  estimate(arch: Arch, hw?: HwConfig | null): Promise<Estimate>;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

export interface CachedEstimator extends Estimator {
  stats(): CacheStats;
}

/**
 * Wraps `inner` with an LRU keyed by `key(arch, hw)` (normally `space.key(arch)` joined with the
 * hardware key). Failed estimates are not cached, so a transient failure can be retried.
 */
export function cachedEstimator(
  inner: Estimator,
  key: (arch: Arch, hw: HwConfig | null) => string,
  capacity = 10_000,
): CachedEstimator {
  if (!Number.isInteger(capacity) || capacity < 1) throw new ConfigError('cache.capacity', capacity, 'must be a positive integer');
  const cache = new LRUCache<string, Promise<Estimate>>({ max: capacity });
  let hits = 0;
  let misses = 0;
  return {
    name: inner.name,
    objectives: inner.objectives,
    estimate(arch, hw = null) {
      const k = key(arch, hw);
      const found = cache.get(k);
      if (found) {
        hits++;
        return found;
      }
      misses++;
      const p = inner.estimate(arch, hw);
      cache.set(k, p);
      p.catch(() => {
        if (cache.get(k) === p) cache.delete(k);
      });
      return p;
    },
    stats: () => ({ hits, misses, size: cache.size }),
  };
}

/** Runs several estimators on one candidate and merges their values; names must not collide. */
export async function estimateAll(estimators: readonly Estimator[], arch: Arch, hw: HwConfig | null = null): Promise<Metrics> {
  const results = await Promise.all(estimators.map((e) => e.estimate(arch, hw)));
  const merged: Record<string, number> = {};
  results.forEach((r, i) => {
    for (const [name, v] of Object.entries(r.values)) {
      if (name in merged) throw new ConfigError('objectives', name, `reported by two estimators (second: ${estimators[i]?.name})`);
      merged[name] = v;
    }
  });
  return merged;
}
