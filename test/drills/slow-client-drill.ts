/**
 * Slow-client drill (issue 18.6): `nas ui`'s server (startUi, hardened listener with the timeouts
 * shortened so the drill is quick) under
 * 1. slowloris: S sockets sending their request headers one line every 500 ms, never finishing —
 *    closed once headersTimeout passes (408), while normal requests keep being answered;
 * 2. slow bodies: sockets trickling a POST body one byte every 200 ms — closed at requestTimeout;
 * 3. idle keep-alive connections — closed at keepAliveTimeout;
 * 4. an event-stream client that never reads while 60,000 events are replayed to it — dropped once
 *    1 MiB is queued for it instead of buffering the whole history in memory.
 *
 * Usage: npx tsx test/drills/slow-client-drill.ts [--sockets 100] [--headers-ms 2000] [--request-ms 4000]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { main } from '../../cli/main.ts';
import { startUi } from '../../cli/commands/ui.ts';
import { Connection, OPEN_READWRITE } from '../../storage/connection.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { check, report } from './report.ts';

const { values } = parseArgs({ options: { sockets: { type: 'string', default: '100' }, 'headers-ms': { type: 'string', default: '2000' }, 'request-ms': { type: 'string', default: '4000' } } });
const S = Number(values.sockets);
const HEADERS_MS = Number(values['headers-ms']);
const REQUEST_MS = Number(values['request-ms']);
const KEEPALIVE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'nas-slow-drill-'));
const db = join(dir, 'nas.db');
writeFileSync(join(dir, 'exp.json'), JSON.stringify(TINY_EXPERIMENT));
const realStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;
const code = await main(['node', 'nas', 'search', '--config', join(dir, 'exp.json'), '--db', db, '--name', 'slow', '--json']);
process.stdout.write = realStdout;
if (code !== 0) throw new Error(`nas search exited ${code}`);
{
  const c = await Connection.open(db, OPEN_READWRITE);
  await c.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
    INSERT INTO events (experiment_id, type, payload, created_at) SELECT 1, 'progress', json_object('i', i, 'pad', printf('%.100c', 'x')), '2025-01-01T00:00:00Z' FROM n`);
  await c.close();
}

const ui = await startUi({ port: '0', host: '127.0.0.1', db, timeouts: { headersMs: HEADERS_MS, requestMs: REQUEST_MS, keepAliveMs: KEEPALIVE_MS, checkEveryMs: 250 } });
const port = Number(new URL(ui.url).port);
const failures: string[] = [];

/** A socket that sends `lines` one every `everyMs`; resolves with seconds until the server closed it (Infinity if it never did). */
function slowSocket(lines: readonly string[], everyMs: number, giveUpMs: number): Promise<{ s: number; answer: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let answer = '';
    const sock: Socket = connect(port, '127.0.0.1');
    let i = 0;
    const tick = setInterval(() => {
      if (i < lines.length && !sock.destroyed) sock.write(lines[i++] as string);
    }, everyMs);
    const giveUp = setTimeout(() => sock.destroy(), giveUpMs);
    sock.on('data', (b) => (answer += b.toString()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(tick);
      clearTimeout(giveUp);
      const ms = performance.now() - t0;
      resolve({ s: ms >= giveUpMs ? Number.POSITIVE_INFINITY : ms / 1000, answer: answer.split('\r\n')[0] ?? '' });
    });
  });
}

// 1. slowloris, with normal requests alongside
const loris = Array.from({ length: S }, (_, k) => slowSocket(['GET /api/experiments HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', ...Array.from({ length: 100 }, (_, j) => `X-Slow-${k}-${j}: y\r\n`)], 500, 30_000));
const normal: number[] = [];
let normalOk = 0;
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  if ((await fetch(`${ui.url}api/experiments`)).status === 200) normalOk++;
  normal.push(performance.now() - t);
  await sleep(50);
}
const lorisDone = await Promise.all(loris);
const lorisMax = Math.max(...lorisDone.map((r) => r.s));
normal.sort((a, b) => a - b);

// 2. slow bodies
const bodies = await Promise.all(Array.from({ length: 20 }, () =>
  slowSocket(['POST /api/trials/1/export HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', ...Array.from({ length: 1000 }, () => ' ')], 200, 30_000)));
const bodyMax = Math.max(...bodies.map((r) => r.s));

// 3. an idle keep-alive connection after one answered request
const idle = await slowSocket(['GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], 10, 30_000);

// 4. an event stream that is never read
const sse = await new Promise<{ dropped: boolean; bytes: number; s: number }>((resolve) => {
  const t0 = performance.now();
  const sock = connect(port, '127.0.0.1', () => sock.write('GET /api/events?after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  let bytes = 0;
  sock.pause(); // read nothing for a while: the server must not queue 12 MB for us
  setTimeout(() => {
    sock.on('data', (b: Buffer) => (bytes += b.length));
    sock.resume();
  }, 4000);
  const giveUp = setTimeout(() => {
    sock.destroy();
    resolve({ dropped: false, bytes, s: Number.POSITIVE_INFINITY });
  }, 30_000);
  sock.on('error', () => {});
  sock.on('end', () => {
    clearTimeout(giveUp);
    resolve({ dropped: true, bytes, s: (performance.now() - t0) / 1000 });
    sock.destroy();
  });
});
await ui.close();

const closeBy = (limitMs: number) => (limitMs + 250) / 1000 + 1.5; // the check interval plus scheduling slack
check(failures, lorisDone.every((r) => Number.isFinite(r.s)), `${lorisDone.filter((r) => !Number.isFinite(r.s)).length} slowloris sockets were never closed`);
check(failures, lorisMax <= closeBy(HEADERS_MS), `a slowloris socket lived ${lorisMax.toFixed(1)} s (headers timeout ${HEADERS_MS / 1000} s)`);
check(failures, normalOk === 20, `${20 - normalOk} of 20 normal requests failed during the slowloris`);
check(failures, bodies.every((r) => Number.isFinite(r.s)) && bodyMax <= closeBy(REQUEST_MS), `slow bodies: a socket lived ${bodyMax.toFixed(1)} s (request timeout ${REQUEST_MS / 1000} s)`);
check(failures, Number.isFinite(idle.s) && idle.s <= closeBy(KEEPALIVE_MS), `an idle keep-alive connection lived ${idle.s.toFixed(1)} s (keep-alive ${KEEPALIVE_MS / 1000} s)`);
check(failures, sse.dropped, 'the non-reading event stream was never dropped');
check(failures, sse.bytes < 8_000_000, `the non-reading client still received ${sse.bytes} bytes (the server buffered the history for it)`);
report('slow-client-drill', {
  'slowloris sockets': S, 'slowloris closed': lorisDone.filter((r) => Number.isFinite(r.s)).length, 'slowloris answer': lorisDone[0]?.answer ?? '',
  'slowloris max s': lorisMax, 'headers timeout s': HEADERS_MS / 1000, 'normal requests ok': `${normalOk}/20`, 'normal median ms': normal[10] ?? 0,
  'slow bodies closed': bodies.filter((r) => Number.isFinite(r.s)).length, 'slow body answer': bodies[0]?.answer ?? '', 'slow body max s': bodyMax, 'request timeout s': REQUEST_MS / 1000,
  'idle keep-alive closed after s': idle.s, 'non-reading stream dropped': sse.dropped, 'bytes it got before the drop': sse.bytes,
}, failures);
process.exit();
