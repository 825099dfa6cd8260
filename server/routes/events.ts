/**
 * Live progress as server-sent events. Each client polls `eventsSince` (the database is the only
 * channel between the search process and the UI server) and receives every stored event once, with
 * the event id as SSE `id`, so a reconnecting EventSource resumes through `Last-Event-ID`.
 */
import { Router } from 'express';
import type { Storage } from '../../storage/storage.ts';
import { parseOr400 } from '../http-errors.ts';
import { eventsQuery, idParam, queryOf } from '../params.ts';
import type { StreamHub } from '../streams.ts';

export interface EventsOptions {
  /** How often each client polls the store; default 500 ms. */
  readonly pollMs?: number;
  /** Comment line keeping proxies from closing idle streams; default 15 s. */
  readonly heartbeatMs?: number;
  /** Simultaneous streams; more get 429. Default 64. */
  readonly maxClients?: number;
}

const BATCH = 500;

export function eventRoutes(storage: Storage, hub: StreamHub, options: EventsOptions = {}): Router {
  const r = Router();
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  // Largest event id seen so far: `after=latest` pages forward from here instead of from 0.
  let head = 0;
  const latest = async (): Promise<number> => {
    for (;;) {
      const batch = await storage.eventsSince(head, { limit: 10_000 });
      if (batch.length > 0) head = (batch[batch.length - 1] as { id: number }).id;
      if (batch.length < 10_000) return head;
    }
  };

  r.get('/events', async (req, res) => {
    const q = parseOr400(eventsQuery, queryOf(req.query), 'query');
    const header = req.headers['last-event-id'];
    const resume = header === undefined ? undefined : parseOr400(idParam, String(header), 'Last-Event-ID');
    // Counted before any await, released exactly once (on close, on error below, or at shutdown).
    const slot = hub.acquire(req, res);
    let after: number;
    try {
      if (q.experimentId !== undefined) await storage.getExperiment(q.experimentId);
      after = resume ?? (q.after === 'latest' ? await latest() : q.after ?? 0);
    } catch (e) {
      slot.release();
      throw e;
    }
    if (slot.closed) return; // the client left while we were reading the database
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    slot.write(`retry: ${Math.max(1000, pollMs * 2)}\n: connected\n\n`);

    const opts = q.experimentId === undefined ? { limit: BATCH } : { experimentId: q.experimentId, limit: BATCH };
    const poll = async (): Promise<void> => {
      try {
        for (;;) {
          const events = await storage.eventsSince(after, opts);
          if (slot.closed) return;
          for (const e of events) {
            slot.write(`id: ${e.id}\nevent: ${e.type.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(e)}\n\n`);
            after = e.id;
          }
          if (events.length < BATCH) break;
        }
      } catch (e) {
        if (slot.closed) return;
        slot.write(`event: error\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`);
        slot.end();
        return;
      }
      // wait for the next poll, or for the store to announce an event (PostgreSQL NOTIFY), whichever is first
      const round = ++rounds;
      waiting = true;
      slot.after(pollMs, () => {
        if (round === rounds && waiting) {
          waiting = false;
          void poll();
        }
      });
    };
    let rounds = 0;
    let waiting = false;
    const wake = () => {
      if (!waiting || slot.closed) return;
      waiting = false;
      void poll();
    };
    const unwatch = storage.watchEvents ? await storage.watchEvents(wake).catch(() => null) : null;
    if (unwatch && slot.closed) unwatch();
    else if (unwatch) res.once('close', unwatch);
    slot.every(heartbeatMs, () => slot.write(': heartbeat\n\n'));
    await poll();
  });

  return r;
}
