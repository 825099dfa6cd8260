/**
 * `nas datasets get nb201 [--url U] [--sha256 H] [--cache-dir D] [--force]`: downloads the
 * NAS-Bench-201 table into the cache where every NB201 command looks (datasets/nb201-source.ts),
 * verifies its sha256 and that it is a complete table in benchmark index order before keeping it.
 * `nas datasets ls [--json]` lists the datasets and tables this installation can use and where.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, DatasetError } from '../../core/errors.ts';
import { downloadVerified, SHA256_HEX } from '../../datasets/download.ts';
import { defaultCacheDir } from '../../datasets/cache-dir.ts';
import { NB201_TABLE_SHA256, NB201_TABLE_URL, benchmarkTables, formatTableStatus, nb201CachePath } from '../../datasets/nb201-source.ts';
import { listDatasets } from '../../datasets/registry.ts';
import { loadNb201Table } from '../../search-space/nb201-table.ts';
import { createProgress } from '../progress.ts';
import { interruptSignal, printJson, withJson } from '../context.ts';

interface GetOpts {
  readonly url: string;
  readonly sha256: string;
  readonly cacheDir?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

const GETTABLE = ['nb201'] as const;

function parseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('--url', raw, 'not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError('--url', raw, 'must be an http: or https: URL');
  return u.href;
}

export function registerDatasets(program: Command): void {
  const group = program.command('datasets').description('datasets and benchmark tables: list them, download the NAS-Bench-201 table');
  withJson(
    group
      .command('get')
      .argument('<name>', `what to download: ${GETTABLE.join(', ')}`)
      .description('download a benchmark table into the cache, verify its sha256 and contents (nothing is kept on any failure)')
      .option('--url <url>', 'where to download from (e.g. a mirror of the same file)', NB201_TABLE_URL)
      .option('--sha256 <hex>', 'expected sha256 of the file', NB201_TABLE_SHA256)
      .option('--cache-dir <dir>', 'cache directory (default: $NAS_CACHE_DIR, else .cache/datasets in the project)')
      .option('--force', 'download again even if the table is already cached'),
  ).action(async (name: string, opts: GetOpts) => {
    if (!(GETTABLE as readonly string[]).includes(name)) throw new ConfigError('<name>', name, `nothing to download under that name; known: ${GETTABLE.join(', ')}`);
    const url = parseUrl(opts.url);
    const sha256 = opts.sha256.toLowerCase();
    if (!SHA256_HEX.test(sha256)) throw new ConfigError('--sha256', opts.sha256, 'must be 64 hexadecimal digits');
    const dest = nb201CachePath(opts.cacheDir ?? defaultCacheDir());
    if (existsSync(dest) && !opts.force) {
      let table;
      try {
        table = loadNb201Table(dest);
      } catch (e) {
        if (e instanceof DatasetError) throw new DatasetError(dest, `${e.problem}; download it again with --force`);
        throw e;
      }
      const doc = { name, path: dest, status: 'cached', rows: table.size };
      if (opts.json) return printJson(doc);
      process.stdout.write(`${name}: already cached at ${dest} (${table.size} cells); --force downloads it again\n`);
      return;
    }
    const progress = createProgress({ quiet: opts.json });
    const stop = interruptSignal();
    let result;
    try {
      result = await downloadVerified({ url, dest, sha256, signal: stop.signal, onProgress: progress.update, check: (path) => void loadNb201Table(path) });
    } finally {
      progress.stop();
      stop.release();
    }
    const doc = { name, path: result.path, status: 'downloaded', url, bytes: result.bytes, sha256: result.sha256 };
    if (opts.json) return printJson(doc);
    const env = opts.cacheDir && opts.cacheDir !== defaultCacheDir() ? ` (outside the default cache: set NAS_CACHE_DIR=${opts.cacheDir} for other commands to find it)` : '';
    process.stdout.write(`${name}: ${result.bytes} bytes from ${url}, sha256 verified, saved to ${result.path}${env}\n`);
  });

  withJson(group.command('ls').description('datasets and benchmark tables, with where each comes from')).action((opts: { json?: boolean }) => {
    const tables = benchmarkTables();
    const datasets = listDatasets();
    if (opts.json) return printJson({ cacheDir: defaultCacheDir(), datasets, tables });
    const lines = [
      `cache     ${defaultCacheDir()}`,
      'datasets',
      ...datasets.map((d) => `  ${d.name.padEnd(14)} ${d.description}`),
      'tables',
      ...tables.map(formatTableStatus),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
