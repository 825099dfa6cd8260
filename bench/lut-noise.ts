/**
 * Latency timing noise on this machine, wall clock vs CPU clock: the same compiled units and whole
 * subnets are timed in `--rounds` separate calls, interleaved (each round visits every item in a
 * fresh random order), and the coefficient of variation of each statistic of a call (median, min,
 * 20 %-trimmed mean) across rounds is printed per clock. Both clocks read the same runs.
 * Also prints the share of a CPU the process got (cpu / wall) and the compute thread's share of the
 * process CPU time (from /proc/thread-self/schedstat, when readable): near 1 means the process-wide
 * CPU clock is the compute thread's.
 * Usage: npx tsx bench/lut-noise.ts [--backend wasm] [--batch 1,8] [--rounds 12] [--repeats 10] [--inner 5]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { createSpace } from '../search-space/registry.ts';
import { countLayers } from '../estimators/counters.ts';
import { spaceUnits } from '../estimators/lut/coverage.ts';
import { compileUnits, type CompiledChain } from '../estimators/lut/executor.ts';
import { LATENCY_CLOCKS, readClocks, sampleChain, type LatencyClock } from '../estimators/lut/timing.ts';
import { splitUnits } from '../estimators/lut/units.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' }, batch: { type: 'string', default: '1,8' }, rounds: { type: 'string', default: '12' }, repeats: { type: 'string', default: '10' }, inner: { type: 'string', default: '5' },
  },
});
const rt = await initTf(values.backend);
const space = createSpace('mbconv');
const rounds = Number(values.rounds);
const repeats = Number(values.repeats);
const inner = Number(values.inner);

function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

const trimmedMean = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const k = Math.floor(s.length * 0.2);
  const kept = s.slice(k, s.length - k);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
};
/** Median over consecutive groups of 3 of each group's minimum. */
const medianOfMin3 = (v: readonly number[]): number => {
  const mins: number[] = [];
  for (let i = 0; i + 3 <= v.length; i += 3) mins.push(Math.min(...v.slice(i, i + 3)));
  return summarize(mins).median;
};
const STATS = { median: (v: readonly number[]) => summarize(v).median, min: (v: readonly number[]) => Math.min(...v), trim20: trimmedMean, medmin3: medianOfMin3 };
type Stat = keyof typeof STATS;
const cv = (v: readonly number[]): number => summarize(v).std / summarize(v).mean;

process.stdout.write(`backend ${rt.backend}, ${rounds} rounds × ${repeats} repeats (inner ${inner}, warm-up 3)\n`);
for (const batch of values.batch.split(',').map(Number)) {
  const units = [...spaceUnits(space, batch)].sort((a, b) => countLayers(a.layers).macs - countLayers(b.layers).macs);
  const pick = [units[0], units[Math.floor(units.length / 2)], units[units.length - 1]];
  const rng = new Rng(3);
  const items: { name: string; chain: CompiledChain }[] = [
    ...pick.map((u, i) => ({ name: `unit ${['small', 'mid', 'large'][i]}`, chain: compileUnits([u!], rng.fork(`u${i}`)) })),
    ...[space.smallest(), space.sample(rng), space.largest()].map((a, i) => ({
      name: `subnet ${['smallest', 'random', 'largest'][i]}`,
      chain: compileUnits(splitUnits(space.layers(a, { batch })), rng.fork(`a${i}`)),
    })),
  ];
  const per = items.map(() => ({ wall: [] as number[][], cpu: [] as number[][] }));
  let threadMs = 0;
  let processMs = 0;
  let wallMs = 0;
  let threadKnown = true;
  for (let r = 0; r < rounds; r++) {
    for (const i of rng.fork(`order${r}`).shuffle(items.map((_, j) => j))) {
      const t0 = threadCpuMs();
      const c0 = readClocks();
      const s = sampleChain(items[i]!.chain, rng.fork(`x${r}/${i}`), { repeats, inner });
      const c1 = readClocks();
      const t1 = threadCpuMs();
      if (t0 === undefined || t1 === undefined) threadKnown = false;
      else threadMs += t1 - t0;
      processMs += c1.cpu - c0.cpu;
      wallMs += c1.wall - c0.wall;
      for (const c of LATENCY_CLOCKS) per[i]![c].push(s[c]);
    }
  }
  process.stdout.write(
    `\nbatch ${batch}: process got ${(processMs / wallMs).toFixed(2)} of a CPU; compute thread / process CPU time ${threadKnown ? (threadMs / processMs).toFixed(3) : 'n/a'}\n` +
      `${'item'.padEnd(16)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)}  ${(Object.keys(STATS) as Stat[]).map((s) => `CV ${s} wall/cpu`.padStart(22)).join('')}\n`,
  );
  items.forEach((it, i) => {
    const stat = (c: LatencyClock, s: Stat) => per[i]![c].map((v) => STATS[s](v));
    const cell = (s: Stat) => `${(100 * cv(stat('wall', s))).toFixed(1)} % / ${(100 * cv(stat('cpu', s))).toFixed(1)} %`.padStart(22);
    process.stdout.write(
      `${it.name.padEnd(16)} ${summarize(stat('wall', 'median')).median.toFixed(3).padStart(8)} ${summarize(stat('cpu', 'median')).median.toFixed(3).padStart(8)}  ${(Object.keys(STATS) as Stat[]).map(cell).join('')}\n`,
    );
    it.chain.dispose();
  });
  // Is the slowdown of a round shared by every item (a machine-wide level shift)? Divide each call's
  // CPU-clock minimum by the round's geometric-mean slowdown over the other items and see what is left.
  const mins = per.map((p) => p.cpu.map((v) => Math.min(...v)));
  const typical = mins.map((m) => summarize(m).median);
  const leftover = items.map((_, i) => {
    const normalized = mins[i]!.map((v, r) => {
      const others = mins.filter((_, j) => j !== i).map((m, j) => Math.log(m[r]! / typical[j >= i ? j + 1 : j]!));
      return v / Math.exp(others.reduce((a, b) => a + b, 0) / others.length);
    });
    return `${(100 * cv(normalized)).toFixed(1)} %`;
  });
  process.stdout.write(`CV of the CPU-clock min after dividing out the round's shared slowdown: ${leftover.join(', ')}\n`);
}
