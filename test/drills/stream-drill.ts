/**
 * Event-stream drill (issue 18.1): against the real server on a real SQLite file,
 * 1. a burst of B concurrent opens: no more than `limit` accepted, the rest 429;
 * 2. open and abort N event streams at random moments — before the request is read, while the
 *    handler awaits the database, after the headers arrived — then count the slots and timers left
 *    (slots: how many of `limit` fresh streams are accepted; timers: active Timeout handles above the
 *    baseline);
 * 3. `nas ui` as a child with open, aborted and half-open streams: SIGTERM must end it within 2 s,
 *    exit 0, with the database file unchanged.
 *
 * Usage: npx tsx test/drills/stream-drill.ts [--aborts 1000] [--burst 500] [--seed 1]
 */
import { createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../../core/rng.ts';
import { createApp } from '../../server/app.ts';
import { Connection, OPEN_READWRITE } from '../../storage/connection.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { check, report, startUiChild, timeSigterm } from './report.ts';

const { values } = parseArgs({ options: { aborts: { type: 'string', default: '1000' }, burst: { type: 'string', default: '500' }, seed: { type: 'string', default: '1' } } });
const ABORTS = Number(values.aborts);
const BURST = Number(values.burst);
const LIMIT = 64;
const rng = new Rng(Number(values.seed)).fork('stream-drill');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

const dir = mkdtempSync(join(tmpdir(), 'nas-stream-drill-'));
const db = join(dir, 'nas.db');
{
  const w = await SqliteStorage.open(db);
  await w.createExperiment({ name: 'streams', config: {}, seed: 1, space: 'mbconv', objectives: [{ name: 'accuracy', unit: '%', direction: 'max' }] });
  await w.close();
  // 20,000 events so that `after=latest` and the experiment lookup keep the handler awaiting the database.
  const c = await Connection.open(db, OPEN_READWRITE);
  await c.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
    INSERT INTO events (experiment_id, type, payload, created_at) SELECT 1, 'progress', json_object('i', i), '2025-01-01T00:00:00Z' FROM n`);
  await c.close();
}

/** Opens a stream; `abortAt` decides when the client goes away (undefined = keep it). */
function open(port: number, abortAt?: { phase: 'sent' | 'headers'; ms: number }): Promise<{ status: number; res?: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events?experimentId=1&after=latest', headers: { accept: 'text/event-stream' } });
    const destroy = () => req.destroy();
    req.on('error', () => resolve({ status: 0, destroy }));
    req.on('response', (res) => {
      res.on('error', () => {});
      res.resume();
      if (abortAt?.phase === 'headers') setTimeout(destroy, abortAt.ms);
      resolve({ status: res.statusCode ?? 0, res, destroy });
    });
    req.end();
    if (abortAt?.phase === 'sent') {
      if (abortAt.ms === 0) destroy();
      else setTimeout(destroy, abortAt.ms);
    }
  });
}

async function probe(port: number, n: number): Promise<{ ok: number; refused: number; other: number }> {
  const opened = await Promise.all(Array.from({ length: n }, () => open(port)));
  const ok = opened.filter((o) => o.status === 200).length;
  const refused = opened.filter((o) => o.status === 429).length;
  for (const o of opened) o.destroy();
  await sleep(300);
  return { ok, refused, other: n - ok - refused };
}

const failures: string[] = [];
const reader = await SqliteStorage.open(db, { readonly: true });
const app = createApp({ storage: reader, events: { pollMs: 50, heartbeatMs: 200, maxClients: LIMIT } });
const server = await new Promise<ReturnType<typeof app.listen>>((r) => {
  const s = app.listen(0, '127.0.0.1', () => r(s));
});
const port = (server.address() as AddressInfo).port;
await sleep(200);
const baseline = timers();

// 1. burst of concurrent opens on the fresh server
const burst = await probe(port, BURST);
await sleep(500);
const afterBurst = await probe(port, LIMIT);

// 2. aborted streams, 50 in flight at a time
const t0 = performance.now();
const plan = Array.from({ length: ABORTS }, () => {
  const r = rng.next();
  return r < 0.2 ? { phase: 'sent' as const, ms: 0 } : r < 0.7 ? { phase: 'sent' as const, ms: rng.int(15) } : { phase: 'headers' as const, ms: rng.int(30) };
});
for (let i = 0; i < plan.length; i += 50) {
  await Promise.all(plan.slice(i, i + 50).map((p) => open(port, p)));
  await sleep(rng.int(10));
}
await sleep(1000);
const leakedTimers = timers() - baseline;
const afterAborts = await probe(port, LIMIT);
const abortMs = performance.now() - t0;
const timersAtEnd = timers() - baseline;
server.closeAllConnections();
await new Promise((r) => server.close(r));
await reader.close();

check(failures, leakedTimers <= 0, `${leakedTimers} timers left after ${ABORTS} aborted streams`);
check(failures, afterAborts.ok === LIMIT, `only ${afterAborts.ok} of ${LIMIT} slots free after the aborts (${LIMIT - afterAborts.ok} leaked)`);
check(failures, burst.ok <= LIMIT, `${burst.ok} of ${BURST} concurrent opens accepted (limit ${LIMIT})`);
check(failures, burst.other === 0, `${burst.other} burst requests answered neither 200 nor 429`);
check(failures, afterBurst.ok === LIMIT, `only ${afterBurst.ok} of ${LIMIT} slots free after the burst`);
check(failures, timersAtEnd <= 0, `${timersAtEnd} timers left at the end`);

// 3. SIGTERM under load: `nas ui` with aborted, open and half-sent requests
const before = createHash('sha256').update(readFileSync(db)).digest('hex');
const ui = await startUiChild(['--db', db]);
const uiPort = Number(new URL(ui.url).port);
await Promise.all(Array.from({ length: 40 }, (_, i) => open(uiPort, { phase: 'sent', ms: i % 8 })));
const held = await Promise.all(Array.from({ length: 20 }, () => open(uiPort)));
const { createConnection } = await import('node:net');
const halfOpen = Array.from({ length: 5 }, () => createConnection(uiPort, '127.0.0.1', function (this: import('node:net').Socket) { this.write('GET /api/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n'); }).on('error', () => {}));
await sleep(300);
// ... and a flood of new requests arriving while it stops
const flood = Array.from({ length: 100 }, (_, i) => (i % 2 ? open(uiPort) : open(uiPort, { phase: 'sent', ms: i % 5 })));
const term = await timeSigterm(ui.child, 10_000);
for (const f of await Promise.all(flood)) f.destroy();
for (const h of held) h.destroy();
for (const s of halfOpen) s.destroy();
const after = createHash('sha256').update(readFileSync(db)).digest('hex');
check(failures, term.ms < 2000, `SIGTERM took ${term.ms.toFixed(0)} ms (limit 2000)`);
check(failures, term.code === 0, `nas ui exited ${term.code} after SIGTERM`);
check(failures, before === after, 'the database file changed while being served');

report('stream-drill', {
  aborted: ABORTS, 'abort phase s': abortMs / 1000, 'slots leaked': LIMIT - afterAborts.ok, 'timers left': Math.max(0, leakedTimers, timersAtEnd),
  'burst opens': BURST, 'burst accepted': burst.ok, 'burst 429': burst.refused, 'burst other': burst.other, 'slots free after burst': afterBurst.ok,
  'SIGTERM to exit ms': Number.isFinite(term.ms) ? Math.round(term.ms) : 'no exit in 10 s', 'exit code': String(term.code), 'database unchanged': before === after,
}, failures);
process.exit();
