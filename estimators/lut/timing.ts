/**
 * Timing of a compiled chain on the active backend: warm-up runs first (kernel compilation, XNNPACK
 * weight packing and allocator growth happen there), then `repeats` timed runs, each ending with a
 * read of the output so asynchronous backends have really finished.
 *
 * A timed sample is a burst of `inner` runs; its time is the burst's divided by `inner`. Two clocks
 * are read around every burst:
 * - `wall`: performance.now(). On a shared machine it also counts the time the OS gives to other
 *   processes while ours waits on the run queue.
 * - `cpu`: process.cpuUsage() (user + system, µs resolution, ~1 µs per read). Node 20 has no
 *   process.threadCpuUsage (added in Node 23.9); the process-wide figure is the compute thread's
 *   because the wasm backend loaded in Node is single-threaded and runs on the calling thread, so
 *   other threads are idle while a chain runs (checked with /proc/thread-self/schedstat in
 *   bench/lut-noise.ts). It is only meaningful for backends that compute on the calling thread.
 */
import { performance } from 'node:perf_hooks';
import type { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { summarize, type Summary } from '../../core/stats.ts';
import { randomInput, type CompiledChain } from './executor.ts';

export const LATENCY_CLOCKS = ['cpu', 'wall'] as const;
export type LatencyClock = (typeof LATENCY_CLOCKS)[number];

/**
 * Default `cpu`, measured with `npx tsx bench/lut-noise.ts` on this 2-core VM while other jobs left
 * the process 0.1–0.2 of a CPU: across 10–12 separate, interleaved timing calls of the same compiled
 * whole subnet, the coefficient of variation of the call's figure was, at batch 1, 10–172 % on the
 * wall clock (median of bursts) and 3.6–25 % on the CPU clock (minimum of bursts); at batch 8,
 * 8–32 % vs 2.8–7.4 %. `nas latency validate` under load average 12–20: LUT sum within ±10 % for
 * 33 % of held-out subnets on the CPU clock, 0 % on the wall clock (the wall clock charges long runs
 * with the time other processes ran: bias −84 %). The CPU clock leaves that time out; what contention
 * still adds to CPU time (cache and SMT sharing, the hypervisor, the process's other threads) only
 * ever adds, so the least disturbed burst, the minimum, is the figure kept. On a quiet machine the
 * clocks should agree (nothing to leave out); not measured here, the machine was never quiet.
 */
export const DEFAULT_CLOCK: LatencyClock = 'cpu';

/** The figure a measurement keeps for its clock (the LUT stores it as the entry's `medianMs`, the
 * column every reader uses): the minimum burst on the CPU clock; the median burst on the wall clock,
 * what every LUT built before the clock was recorded holds. */
export function clockFigure(clock: LatencyClock, s: Summary): number {
  return clock === 'cpu' ? s.min : s.median;
}

export function checkClock(clock: unknown, field = 'clock'): LatencyClock {
  if (!LATENCY_CLOCKS.includes(clock as LatencyClock)) throw new ConfigError(field, clock, `must be one of ${LATENCY_CLOCKS.join(', ')}`);
  return clock as LatencyClock;
}

/** Reads both clocks, in ms. */
export function readClocks(): Record<LatencyClock, number> {
  const c = process.cpuUsage();
  return { wall: performance.now(), cpu: (c.user + c.system) / 1000 };
}

export interface TimingOptions {
  readonly warmup?: number;
  readonly repeats?: number;
  /** Runs per timed sample; only the last output is read back, so the read-back and timer cost is
   * spread over them. Without this a LUT of ~20 units pays that fixed cost 20 times per arch while an
   * end-to-end run pays it once, and the LUT sum overestimates small subnets (measured: +44 %). */
  readonly inner?: number;
  readonly clock?: LatencyClock;
}

export function checkTiming(o: TimingOptions): Required<TimingOptions> {
  const warmup = o.warmup ?? 3;
  const repeats = o.repeats ?? 10;
  const inner = o.inner ?? 5;
  const clock = checkClock(o.clock ?? DEFAULT_CLOCK);
  if (!Number.isInteger(inner) || inner < 1) throw new ConfigError('inner', inner, 'must be an integer >= 1');
  if (!Number.isInteger(warmup) || warmup < 0) throw new ConfigError('warmup', warmup, 'must be an integer >= 0');
  if (!Number.isInteger(repeats) || repeats < 1) throw new ConfigError('repeats', repeats, 'must be an integer >= 1');
  return { warmup, repeats, inner, clock };
}

/** The per-run times of `chain` in ms under both clocks (same runs), warm-up excluded. */
export function sampleChain(chain: CompiledChain, rng: Rng, options: TimingOptions = {}): Record<LatencyClock, number[]> {
  const { warmup, repeats, inner } = checkTiming(options);
  const x = randomInput(chain, rng);
  const out: Record<LatencyClock, number[]> = { wall: [], cpu: [] };
  try {
    const once = (keep: boolean): void => {
      const t0 = readClocks();
      for (let i = 1; i < inner; i++) chain.run(x).dispose();
      const y = chain.run(x);
      y.dataSync();
      const t1 = readClocks();
      y.dispose();
      if (keep) for (const c of LATENCY_CLOCKS) out[c].push((t1[c] - t0[c]) / inner);
    };
    for (let i = 0; i < warmup; i++) once(false);
    for (let i = 0; i < repeats; i++) once(true);
    return out;
  } finally {
    x.dispose();
  }
}

export interface ChainTiming extends Summary {
  readonly clock: LatencyClock;
  /** clockFigure(clock, summary): what the LUT and the fidelity report use. */
  readonly figure: number;
}

/** Times `chain` on the clock of `options`; the summary is in milliseconds. */
export function timeChain(chain: CompiledChain, rng: Rng, options: TimingOptions = {}): ChainTiming {
  const clock = checkTiming(options).clock;
  const s = summarize(sampleChain(chain, rng, options)[clock]);
  return { ...s, clock, figure: clockFigure(clock, s) };
}
