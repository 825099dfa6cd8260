/**
 * IPv6 loopback drill (issue 18.6): `nas ui --host ::1` as a child process — prints an
 * `http://[::1]:PORT/` URL, answers the API and event streams, accepts its own bracketed Host and a
 * same-origin export, refuses a foreign Host and a cross-origin write, and stops within 2 s of
 * SIGTERM. Where the machine has no IPv6 loopback the drill says so and passes as skipped.
 *
 * Usage: npx tsx test/drills/ipv6-drill.ts
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { check, report, startUiChild, timeSigterm } from './report.ts';

const haveIpv6 = await new Promise<boolean>((resolve) => {
  const s = createServer().once('error', () => resolve(false)).listen(0, '::1', () => s.close(() => resolve(true)));
});
if (!haveIpv6) {
  report('ipv6-drill', { skipped: 'no IPv6 loopback (::1) on this machine' }, []);
  process.exit();
}

const dir = mkdtempSync(join(tmpdir(), 'nas-ipv6-drill-'));
const db = join(dir, 'nas.db');
writeFileSync(join(dir, 'exp.json'), JSON.stringify(TINY_EXPERIMENT));
const realStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;
const code = await main(['node', 'nas', 'search', '--config', join(dir, 'exp.json'), '--db', db, '--name', 'six', '--json']);
process.stdout.write = realStdout;
if (code !== 0) throw new Error(`nas search exited ${code}`);

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '::1', family: 6, port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      const type = String(res.headers['content-type'] ?? '');
      if (type.startsWith('text/event-stream')) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, type, body: '' });
      }
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, body: text }));
    });
    req.on('error', (e) => resolve({ status: 0, type: '', body: e.message }));
    req.end(body);
  });
}

const failures: string[] = [];
const { url, child } = await startUiChild(['--host', '::1', '--db', db]);
const port = Number(new URL(url).port);
const host = `[::1]:${port}`;
const list = await send(port, 'GET', '/api/experiments', { host });
const trials = JSON.parse((await send(port, 'GET', '/api/experiments/1/trials?state=finished&limit=1', { host })).body) as { items: { id: number }[] };
const trialId = trials.items[0]?.id ?? 1;
const stream = await send(port, 'GET', '/api/events?experimentId=1', { host });
const page = await send(port, 'GET', '/', { host: `localhost:${port}` });
const foreign = await send(port, 'GET', '/api/experiments', { host: `evil.com:${port}` });
const json = { host, 'content-type': 'application/json' };
const crossWrite = await send(port, 'POST', `/api/trials/${trialId}/export`, { ...json, origin: `http://evil.com:${port}` }, '{}');
const sameWrite = await send(port, 'POST', `/api/trials/${trialId}/export`, { ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, '{"formats":["json"]}');
const term = await timeSigterm(child, 10_000);

check(failures, /^http:\/\/\[::1\]:\d+\/$/.test(url), `printed URL ${url}`);
check(failures, list.status === 200 && list.body.includes('"six"'), `GET /api/experiments over ::1 → ${list.status}`);
check(failures, stream.status === 200 && stream.type.startsWith('text/event-stream'), `event stream over ::1 → ${stream.status}`);
check(failures, page.status === 200, `the UI page for Host localhost → ${page.status}`);
check(failures, foreign.status === 403, `foreign Host → ${foreign.status}`);
check(failures, crossWrite.status === 403, `cross-origin export → ${crossWrite.status}`);
check(failures, sameWrite.status === 201, `same-origin export → ${sameWrite.status} ${sameWrite.body.slice(0, 200)}`);
check(failures, term.ms < 2000 && term.code === 0, `SIGTERM → exit ${term.code} after ${term.ms.toFixed(0)} ms`);
report('ipv6-drill', {
  url, 'api status': list.status, 'event stream status': stream.status, 'foreign Host status': foreign.status, 'cross-origin export status': crossWrite.status,
  'same-origin export status': sameWrite.status, 'SIGTERM to exit ms': Number.isFinite(term.ms) ? Math.round(term.ms) : 'no exit in 10 s',
}, failures);
process.exit();
