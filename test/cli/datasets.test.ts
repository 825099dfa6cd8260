/**
 * `nas datasets get nb201` against a local HTTP server on loopback serving a table made here (every
 * cell in benchmark index order with seeded accuracies): a good download lands in the cache and the
 * NB201 commands (bench, a space: nb201 search, predictor training) read it from there; a wrong checksum, a cut-off transfer, an HTTP error or a file
 * that is not a table leave nothing behind (and never replace a good copy); a missing table is
 * exit 6 saying how to get it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { nb201CachePath } from '../../datasets/nb201-source.ts';
import { NB201_SIZE, formatNb201String } from '../../search-space/nb201-arch.ts';
import { nb201ArchAt } from '../../search-space/nb201-index.ts';
import { runCli } from './run.ts';

/** A complete table in index order; accuracies drawn from a seeded Rng (best cell known). */
function makeTable(seed: number): { csv: Buffer; best: number; accuracies: Set<number> } {
  const rng = new Rng(seed);
  const lines = ['CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,ArchitectureString,UniqueString'];
  let best = 0;
  const accuracies = new Set<number>();
  for (let i = 0; i < NB201_SIZE; i++) {
    const acc = Number(rng.uniform(10, 90).toFixed(3));
    best = Math.max(best, acc);
    accuracies.add(acc);
    lines.push(`${acc},${rng.uniform(1, 70).toFixed(3)},${rng.uniform(1, 45).toFixed(3)},${formatNb201String(nb201ArchAt(i))},u${i}`);
  }
  return { csv: Buffer.from(`${lines.join('\n')}\n`), best, accuracies };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const table = makeTable(7);
const accuracies = table.accuracies;
// right checksum, wrong contents: two rows swapped, so the table is out of index order
const swapped = (() => {
  const lines = table.csv.toString().split('\n');
  [lines[1], lines[2]] = [lines[2] as string, lines[1] as string];
  return Buffer.from(lines.join('\n'));
})();

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/table.csv') {
      res.writeHead(200, { 'content-length': table.csv.length });
      res.end(table.csv);
    } else if (req.url === '/cut.csv') {
      // announces the whole table, sends a third of it and drops the connection
      res.writeHead(200, { 'content-length': table.csv.length });
      res.write(table.csv.subarray(0, Math.floor(table.csv.length / 3)), () => res.destroy());
    } else if (req.url === '/swapped.csv') {
      res.writeHead(200, { 'content-length': swapped.length });
      res.end(swapped);
    } else {
      res.writeHead(404).end('not here');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

let cache = '';
const saved = { cache: process.env.NAS_CACHE_DIR, csv: process.env.NAS_NB201_CSV };
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'nas-nb201-cache-'));
  process.env.NAS_CACHE_DIR = cache;
  delete process.env.NAS_NB201_CSV;
});
afterEach(() => {
  for (const [k, v] of [['NAS_CACHE_DIR', saved.cache], ['NAS_NB201_CSV', saved.csv]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const get = (...args: string[]) => runCli('datasets', 'get', 'nb201', ...args);
/** The error line (progress lines come before it on stderr when it is not a terminal). */
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);
const leftovers = () => (existsSync(join(cache, 'nb201')) ? readdirSync(join(cache, 'nb201')) : []);

describe('nas datasets get nb201', () => {
  it('downloads into the cache, verifies the checksum, and the NB201 commands read the table from there', async () => {
    const r = await get('--url', `${base}/table.csv`, '--sha256', sha(table.csv), '--json');
    expect(r.code, r.stderr).toBe(0);
    const dest = nb201CachePath(cache);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'nb201', path: dest, status: 'downloaded', url: `${base}/table.csv`, bytes: table.csv.length, sha256: sha(table.csv) });
    expect(readFileSync(dest).equals(table.csv)).toBe(true);
    expect(leftovers()).toEqual(['nats_bench.csv']);

    const ls = JSON.parse((await runCli('datasets', 'ls', '--json')).stdout) as { tables: { name: string; path: string; via: string }[] };
    expect(ls.tables).toEqual([{ name: 'nb201', path: dest, available: true, via: 'cache' }]);
    // the benchmark finds the downloaded table without being told: its optimum is this table's
    const bench = await runCli('bench', 'nb201', '--strategies', 'rs', '--budget', '5', '--seeds', '1', '--json');
    expect(bench.code, bench.stderr).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({ points: 15_625, optimum: table.best });

    // so do a space: nb201 search scored by the table and an accuracy predictor trained on it
    const exp = join(cache, 'nb201.yaml');
    writeFileSync(exp, 'space: nb201\naccuracy: { source: nb201 }\nhardware: { mode: none }\nstrategy: { name: random }\nobjectives: [accuracy, params_k]\nbudget: 6\nbatch: 3\n');
    const search = await runCli('search', '--config', exp, '--db', join(cache, 's.db'), '--json');
    expect(search.code, search.stderr).toBe(0);
    const front = (JSON.parse(search.stdout) as { pareto: { metrics: { accuracy: number } }[] }).pareto;
    for (const t of front) expect(accuracies.has(t.metrics.accuracy)).toBe(true);
    const predictor = await runCli('predictor', 'train', '--kind', 'accuracy', '--space', 'nb201', '--samples', '40', '--epochs', '2', '--hidden', '8', '--folds', '0', '--db', join(cache, 'p.db'), '--json');
    expect(predictor.code, predictor.stderr).toBe(0);

    const again = await get('--url', `${base}/table.csv`, '--sha256', sha(table.csv));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`nb201: already cached at ${dest} (15625 cells); --force downloads it again\n`);
  });

  it('a wrong checksum is exit 6 and nothing is cached', async () => {
    const r = await get('--url', `${base}/table.csv`, '--sha256', '0'.repeat(64));
    expect(r.code).toBe(6);
    expect(lastLine(r.stderr)).toBe(`nas: ${base}/table.csv: checksum mismatch: sha256 ${sha(table.csv)}, expected ${'0'.repeat(64)} (${table.csv.length} bytes); nothing was cached`);
    expect(leftovers()).toEqual([]);
  });

  it('a transfer cut off midway is exit 6, leaves no partial file, and keeps an existing good copy', async () => {
    const r = await get('--url', `${base}/cut.csv`, '--sha256', sha(table.csv));
    expect(r.code).toBe(6);
    expect(lastLine(r.stderr)).toMatch(new RegExp(`^nas: ${base}/cut\\.csv: download (interrupted after|incomplete:) \\d+ of ${table.csv.length} bytes.*; nothing was cached$`));
    expect(leftovers()).toEqual([]);

    expect((await get('--url', `${base}/table.csv`, '--sha256', sha(table.csv))).code).toBe(0);
    const forced = await get('--url', `${base}/cut.csv`, '--sha256', sha(table.csv), '--force');
    expect(forced.code).toBe(6);
    expect(readFileSync(nb201CachePath(cache)).equals(table.csv)).toBe(true);
    expect(leftovers()).toEqual(['nats_bench.csv']);
  });

  it('an HTTP error or a file that is not a table in index order is exit 6 with nothing cached', async () => {
    const missing = await get('--url', `${base}/nope.csv`, '--sha256', sha(table.csv));
    expect(missing.code).toBe(6);
    expect(missing.stderr).toBe(`nas: ${base}/nope.csv: download failed: HTTP 404 Not Found\n`);
    const bad = await get('--url', `${base}/swapped.csv`, '--sha256', sha(swapped));
    expect(bad.code).toBe(6);
    expect(lastLine(bad.stderr)).toMatch(/swapped\.csv: downloaded file refused: .*row 0 is .* not in NAS-Bench-201 index order; nothing was cached/);
    expect(leftovers()).toEqual([]);
  });

  it('bad flags are config errors (exit 3) before anything is fetched', async () => {
    expect((await get('--sha256', 'abc')).stderr).toMatch(/--sha256: must be 64 hexadecimal digits \(got "abc"\)/);
    expect((await get('--url', 'ftp://x/y')).code).toBe(3);
    const other = await runCli('datasets', 'get', 'imagenet');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/<name>: nothing to download under that name; known: nb201/);
    expect(leftovers()).toEqual([]);
  });

  it('a missing table is exit 6 naming the file and saying how to get it, for every NB201 command', async () => {
    const nowhere = join(cache, 'nowhere.csv');
    process.env.NAS_NB201_CSV = nowhere;
    const hint = 'NAS-Bench-201 table not found; download it with `nas datasets get nb201` (or give its path: NAS_NB201_CSV=FILE)';
    const bench = await runCli('bench', 'nb201', '--seeds', '1', '--budget', '5');
    expect(bench.code).toBe(6);
    expect(bench.stderr).toBe(`nas: ${nowhere}: ${hint}, or pass --csv FILE\n`);
    const predictor = await runCli('predictor', 'train', '--kind', 'accuracy', '--space', 'nb201', '--samples', '50', '--db', join(cache, 'p.db'));
    expect(predictor.code).toBe(6);
    expect(predictor.stderr).toBe(`nas: ${nowhere}: ${hint}\n`);
    const exp = join(cache, 'nb201.yaml');
    writeFileSync(exp, 'space: nb201\naccuracy: { source: nb201 }\nhardware: { mode: none }\nobjectives: [accuracy, params_k]\nbudget: 5\n');
    const search = await runCli('search', '--config', exp, '--db', join(cache, 's.db'));
    expect(search.code).toBe(6);
    expect(lastLine(search.stderr)).toBe(`nas: ${nowhere}: ${hint}`);
    expect(existsSync(join(cache, 's.db'))).toBe(false);
  });
});
