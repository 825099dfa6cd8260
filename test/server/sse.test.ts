/**
 * Server-sent events over a real SQLite file: a writer connection appends events while the server
 * (on its own read-only connection) streams them; ids resume through Last-Event-ID and after=latest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { OBJECTIVES } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';

interface Sse {
  id: number;
  event: string;
  data: { id: number; type: string; payload: { i: number }; experimentId: number | null };
}

/** Reads `count` events from an SSE response, then aborts the stream. */
async function readEvents(url: string, count: number, headers: Record<string, string> = {}): Promise<Sse[]> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const out: Sse[] = [];
  let buf = '';
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const chunk = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const fields = Object.fromEntries(chunk.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      if (fields.data && fields.id) out.push({ id: Number(fields.id), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
    }
  }
  ac.abort();
  return out.slice(0, count);
}

describe('GET /api/events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-sse-'));
  let writer: SqliteStorage;
  let reader: SqliteStorage;
  let srv: Served;
  let a: number;
  let b: number;

  beforeAll(async () => {
    writer = await SqliteStorage.open(join(dir, 'nas.db'));
    a = (await writer.createExperiment({ name: 'a', config: {}, seed: 1, space: 'mbconv', objectives: OBJECTIVES })).id;
    b = (await writer.createExperiment({ name: 'b', config: {}, seed: 1, space: 'mbconv', objectives: OBJECTIVES })).id;
    for (let i = 0; i < 3; i++) await writer.appendEvent({ experimentId: a, type: 'progress', payload: { i } });
    reader = await SqliteStorage.open(join(dir, 'nas.db'), { readonly: true });
    srv = await serve(createApp({ storage: reader, events: { pollMs: 20 } }));
  });
  afterAll(async () => {
    await srv.close();
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays stored events, then streams new ones as the writer appends them', async () => {
    const pending = readEvents(`${srv.url}/api/events?experimentId=${a}`, 6);
    // Written while the stream is open: interleave another experiment's events, which are filtered out.
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 3; i < 6; i++) {
      await writer.appendEvent({ experimentId: b, type: 'progress', payload: { i: -i } });
      await writer.appendEvent({ experimentId: a, type: i === 5 ? 'status' : 'trial', payload: { i } });
    }
    const events = await pending;
    expect(events.map((e) => e.data.payload.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.every((e) => e.data.experimentId === a)).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['progress', 'progress', 'progress', 'trial', 'trial', 'status']);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('resumes after Last-Event-ID and starts at the head with after=latest', async () => {
    const all = await readEvents(`${srv.url}/api/events`, 9);
    const third = all[2] as Sse;
    const resumed = await readEvents(`${srv.url}/api/events`, 2, { 'last-event-id': String(third.id) });
    expect(resumed.map((e) => e.id)).toEqual([all[3]?.id, all[4]?.id]);
    const live = readEvents(`${srv.url}/api/events?after=latest`, 1);
    await new Promise((r) => setTimeout(r, 100));
    await writer.appendEvent({ experimentId: null, type: 'status', payload: { i: 99 } });
    const [first] = await live;
    expect(first?.data.payload.i).toBe(99);
  });

  it('rejects bad parameters before opening a stream', async () => {
    expect((await srv.get('/api/events?experimentId=77')).status).toBe(404);
    expect((await srv.get('/api/events?after=-3')).status).toBe(400);
    expect((await srv.get('/api/events', { headers: { 'last-event-id': 'abc' } })).status).toBe(400);
  });
});
