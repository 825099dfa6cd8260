/**
 * API fuzz drill (issue 18.6): N seeded random and malformed requests over every route the app
 * declares (found by walking its routers, so routes added later are covered), with spoofed Host,
 * Origin and Sec-Fetch-Site headers, against `nas ui`'s server (startUi: real exporter, hardened
 * listener) over a real SQLite database written by `nas search`. Passes with 0 answers ≥ 500,
 * 0 hangs (no answer within 10 s), 0 server errors logged, and the database byte-for-byte unchanged
 * with `PRAGMA integrity_check` ok.
 *
 * Usage: npx tsx test/drills/fuzz-drill.ts [--requests 5000] [--concurrency 8] [--seed 1]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { main } from '../../cli/main.ts';
import { startUi } from '../../cli/commands/ui.ts';
import { Rng } from '../../core/rng.ts';
import { createApp } from '../../server/app.ts';
import { Connection, OPEN_READONLY } from '../../storage/connection.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { appRoutes, randomBody, randomOriginHeaders, randomPath, send } from '../../testkit/fuzz-requests.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { check, report } from './report.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' } } });
const N = Number(values.requests);
const rng = new Rng(Number(values.seed)).fork('fuzz-drill');
const dir = mkdtempSync(join(tmpdir(), 'nas-fuzz-drill-'));
const db = join(dir, 'nas.db');
const config = join(dir, 'exp.json');
writeFileSync(config, JSON.stringify({ ...TINY_EXPERIMENT, budget: 24, batch: 4 }));
const realStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write; // the searches' JSON reports
for (const name of ['one', 'two']) {
  const code = await main(['node', 'nas', 'search', '--config', config, '--db', db, '--name', name, '--json']);
  if (code !== 0) throw new Error(`nas search exited ${code}`);
}
process.stdout.write = realStdout;

const fingerprint = async (): Promise<{ bytes: string; integrity: string }> => {
  const c = await Connection.open(db, OPEN_READONLY);
  const row = await c.get<{ integrity_check: string }>('PRAGMA integrity_check');
  await c.close();
  return { bytes: createHash('sha256').update(readFileSync(db)).digest('hex'), integrity: row?.integrity_check ?? '?' };
};
const before = await fingerprint();

const errors: unknown[] = [];
const realStderr = process.stderr.write.bind(process.stderr);
// The server reports its own 5xx errors on stderr ("nas ui: …"): count them.
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (String(chunk).startsWith('nas ui:')) errors.push(String(chunk));
  return (realStderr as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;

const ui = await startUi({ port: '0', host: '127.0.0.1', db });
const url = new URL(ui.url);
const routes = appRoutes(createApp({ storage: new MemoryStorage(), exporter: { formats: () => ['json'], write: async () => ({ dir: '', files: [] }) } }));
console.log(`${routes.length} routes: ${routes.join(' ')}`);
const statuses = new Map<number, number>();
const bad: string[] = [];
let hangs = 0;
const t0 = performance.now();
let next = 0;
const worker = async (): Promise<void> => {
  while (next < N) {
    next++;
    const method = rng.choice(['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
    const path = randomPath(rng, routes);
    const headers = rng.bool(0.5) ? randomOriginHeaders(rng, url.host) : {};
    const status = await send(url, method, path, randomBody(rng), headers).catch(() => {
      hangs++;
      return -1;
    });
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500 || status === 0) bad.push(`${status} ${method} ${path.slice(0, 100)} ${JSON.stringify(headers)}`);
  }
};
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
const seconds = (performance.now() - t0) / 1000;
const alive = await fetch(`${ui.url}api/experiments`).then((r) => r.status, () => 0);
await ui.close();
process.stderr.write = realStderr;
const after = await fingerprint();

for (const b of bad.slice(0, 10)) console.log(`  ${b}`);
const fails: string[] = [];
check(fails, bad.length === 0, `${bad.length} answers ≥ 500 or dropped connections`);
check(fails, hangs === 0, `${hangs} requests without an answer in 10 s`);
check(fails, errors.length === 0, `${errors.length} server errors logged`);
check(fails, before.bytes === after.bytes, 'the database file changed');
check(fails, after.integrity === 'ok', `integrity_check: ${after.integrity}`);
check(fails, alive === 200, `the server stopped answering (${alive})`);
const count = (lo: number, hi: number) => [...statuses].filter(([s]) => s >= lo && s < hi).reduce((a, [, n]) => a + n, 0);
report('fuzz-drill', {
  requests: N, routes: routes.length, seconds, '2xx': count(200, 300), '4xx': count(400, 500), '403 (host/origin)': statuses.get(403) ?? 0,
  '5xx': count(500, 600), hangs, 'server errors logged': errors.length, 'database unchanged': before.bytes === after.bytes, integrity_check: after.integrity,
}, fails);
process.exit();
