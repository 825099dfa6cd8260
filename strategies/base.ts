/**
 * Shared state of every strategy: the candidate id counter and the RNG, both part of the snapshot
 * so a restored strategy continues the same stream. Subclasses add their own state under `own`.
 */
import { ConfigError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { RngState } from '../core/rng.ts';
import type { Json, JsonObject } from '../core/types.ts';
import type { SearchSpace } from '../core/space/space.ts';
import type { Candidate, EvalResult, Strategy, StrategyContext } from './strategy.ts';

export interface BaseSnapshot {
  readonly strategy: string;
  readonly nextId: number;
  readonly rng: RngState;
  readonly own: Json;
}

export abstract class BaseStrategy<T extends JsonObject> implements Strategy<T> {
  abstract readonly name: string;
  protected rng: Rng;
  protected nextId = 0;
  protected readonly space: SearchSpace<T>;

  constructor(protected readonly ctx: StrategyContext<T>) {
    this.rng = ctx.rng;
    this.space = ctx.space;
  }

  abstract ask(n: number): Candidate<T>[];
  abstract tell(results: readonly EvalResult<T>[]): void;
  protected abstract saveOwn(): Json;
  protected abstract loadOwn(own: Json): void;

  protected candidate(x: T): Candidate<T> {
    return { id: this.nextId++, x, key: this.space.key(x) };
  }

  protected checkCount(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError('n', n, 'ask needs a positive integer count');
  }

  snapshot(): Json {
    const s: BaseSnapshot = { strategy: this.name, nextId: this.nextId, rng: this.rng.state(), own: this.saveOwn() };
    return s as unknown as Json;
  }

  /** Nothing to release by default (strategies whose state is plain JS). */
  dispose(): void {}

  restore(state: Json): void {
    const s = state as unknown as BaseSnapshot;
    if (!s || typeof s !== 'object' || s.strategy !== this.name) {
      throw new ConfigError('snapshot.strategy', (s as { strategy?: unknown } | null)?.strategy, `expected a snapshot of '${this.name}'`);
    }
    this.nextId = s.nextId;
    this.rng = Rng.restore(s.rng);
    this.loadOwn(s.own);
  }
}

/** A JSON copy (snapshots must not alias live state). */
export function jsonClone<V>(v: V): V {
  return JSON.parse(JSON.stringify(v)) as V;
}
