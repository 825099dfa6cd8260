/**
 * The UI server on PostgreSQL, as `nas ui --db postgres://…` runs it: the same JSON API as on
 * SQLite, live events woken by LISTEN/NOTIFY (the poll interval here is a minute, so only a
 * notification can deliver them in time), and the work queue's workers at /api/workers.
 */
import { describe, expect, it } from 'vitest';
import { startUi } from '../../cli/commands/ui.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { registerWorker } from '../../cluster/workers.ts';
import { createApp } from '../../server/app.ts';
import { PgStorage } from '../../storage/pg.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { serve } from '../../testkit/serve.ts';

async function firstEvent(url: string, ms: number): Promise<{ id: number; type: string } | null> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    const res = await fetch(url, { signal: ac.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buf += new TextDecoder().decode(value);
      const m = /data: (\{.*\})\n/.exec(buf);
      if (m) return JSON.parse(m[1]!) as { id: number; type: string };
    }
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

describe.skipIf(!PG_URL)(PG_URL ? 'UI server on PostgreSQL' : `UI server on PostgreSQL (skipped: ${PG_SKIP})`, () => {
  it('nas ui --db postgres://… serves experiments, trials and workers read-only', async () => {
    const url = freshPgUrl('ui');
    const writer = await PgStorage.open(url);
    const exp = await fillExperiment(writer, { name: 'pg-ui', trials: 40 });
    const queue = await PgQueue.open(writer);
    await registerWorker(queue, { id: 'lab-7:123:1', host: 'lab-7', pid: 123, backend: 'wasm', concurrency: 2, kinds: ['eval', 'lut'], codeVersion: '0.1.0+abc', checkpoints: [], device: 'pi4' });
    const ui = await startUi({ port: '0', host: '127.0.0.1', db: url });
    try {
      const list = (await (await fetch(`${ui.url}api/experiments`)).json()) as { name: string; trials: { finished: number } }[];
      expect(list.map((e) => e.name)).toEqual(['pg-ui']);
      const page = (await (await fetch(`${ui.url}api/experiments/${exp.id}/trials?sort=accuracy&order=desc&limit=5`)).json()) as { items: { metrics: { accuracy: number } | null }[]; total: number };
      expect(page.items).toHaveLength(5);
      const acc = page.items.map((t) => t.metrics!.accuracy);
      expect(acc).toEqual([...acc].sort((a, b) => b - a));
      expect(page.total).toBe(42);
      const info = (await (await fetch(`${ui.url}api/info`)).json()) as { database: string };
      expect(info.database).toMatch(/^postgres\?schema=ui_/);
      const w = (await (await fetch(`${ui.url}api/workers`)).json()) as { queue: boolean; workers: { host: string; kinds: string[]; device: string; heartbeatAgeMs: number; state: string; currentJobs: string[] }[]; jobs: Record<string, number> };
      expect(w.queue).toBe(true);
      expect(w.workers).toHaveLength(1);
      expect(w.workers[0]).toMatchObject({ host: 'lab-7', kinds: ['eval', 'lut'], device: 'pi4', state: 'live', currentJobs: [] });
      expect(w.workers[0]!.heartbeatAgeMs).toBeLessThan(15_000);
      expect(w.jobs).toEqual({ queued: 0, running: 0, done: 0, failed: 0 });
      expect(w.workers[0]).toMatchObject({ activity: 'idle', pid: 123, concurrency: 2, done: 0, failed: 0, jobs: [] });
      expect(w).toMatchObject({ postgres: true, depth: { eval: { queued: 0, running: 0 }, lut: { queued: 0 }, map: { queued: 0 } } });
      // read-only: the server cannot write (no route writes except export, and the store refuses)
      await expect((await PgStorage.open(url, { readonly: true })).createExperiment({ name: 'x', config: {}, seed: 1, space: 'mbconv', objectives: [{ name: 'a', unit: '', direction: 'max' }] })).rejects.toThrow(/read-only/);
    } finally {
      await ui.close();
      await writer.close();
      await dropPgSchema(url);
    }
  });

  it('live events arrive through NOTIFY, not the next poll', async () => {
    const url = freshPgUrl('uisse');
    const writer = await PgStorage.open(url);
    const exp = await writer.createExperiment({ name: 'live', config: {}, seed: 1, space: 'mbconv', objectives: [{ name: 'accuracy', unit: '%', direction: 'max' }] });
    const reader = await PgStorage.open(url, { readonly: true });
    const srv = await serve(createApp({ storage: reader, events: { pollMs: 60_000 } }));
    try {
      const got = firstEvent(`${srv.url}/api/events?after=latest&experimentId=${exp.id}`, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      const ev = await writer.appendEvent({ experimentId: exp.id, type: 'progress', payload: { completed: 1 } });
      const seen = await got;
      expect(seen?.id).toBe(ev.id);
      expect(performance.now() - t0).toBeLessThan(15_000);
    } finally {
      await srv.close();
      await reader.close();
      await writer.close();
      await dropPgSchema(url);
    }
  });
});

describe('GET /api/workers on a store without a queue', () => {
  it('answers queue: false with no workers', async () => {
    const { MemoryStorage } = await import('../../storage/memory.ts');
    const srv = await serve(createApp({ storage: new MemoryStorage() }));
    try {
      const r = await srv.get('/api/workers');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ postgres: false, queue: false, workers: [], jobs: null, depth: null });
    } finally {
      await srv.close();
    }
  });
});
