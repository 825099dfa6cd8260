/**
 * Wall-clock timing of a compiled chain on the active backend: warm-up runs first (kernel
 * compilation, XNNPACK weight packing and allocator growth happen there), then `repeats` timed runs,
 * each ending with a read of the output so asynchronous backends have really finished.
 */
import { performance } from 'node:perf_hooks';
import type { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { summarize, type Summary } from '../../core/stats.ts';
import { randomInput, type CompiledChain } from './executor.ts';

export interface TimingOptions {
  readonly warmup?: number;
  readonly repeats?: number;
  /** Runs per timed sample; only the last output is read back, so the read-back and timer cost is
   * spread over them. Without this a LUT of ~20 units pays that fixed cost 20 times per arch while an
   * end-to-end run pays it once, and the LUT sum overestimates small subnets (measured: +44 %). */
  readonly inner?: number;
}

export function checkTiming(o: TimingOptions): Required<TimingOptions> {
  const warmup = o.warmup ?? 3;
  const repeats = o.repeats ?? 10;
  const inner = o.inner ?? 5;
  if (!Number.isInteger(inner) || inner < 1) throw new ConfigError('inner', inner, 'must be an integer >= 1');
  if (!Number.isInteger(warmup) || warmup < 0) throw new ConfigError('warmup', warmup, 'must be an integer >= 0');
  if (!Number.isInteger(repeats) || repeats < 1) throw new ConfigError('repeats', repeats, 'must be an integer >= 1');
  return { warmup, repeats, inner };
}

/** Times `chain` and returns the summary in milliseconds. */
export function timeChain(chain: CompiledChain, rng: Rng, options: TimingOptions = {}): Summary {
  const { warmup, repeats, inner } = checkTiming(options);
  const x = randomInput(chain, rng);
  try {
    const once = (): number => {
      const t0 = performance.now();
      for (let i = 1; i < inner; i++) chain.run(x).dispose();
      const y = chain.run(x);
      y.dataSync();
      const ms = (performance.now() - t0) / inner;
      y.dispose();
      return ms;
    };
    for (let i = 0; i < warmup; i++) once();
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) samples.push(once());
    return summarize(samples);
  } finally {
    x.dispose();
  }
}
