/**
 * Live progress as server-sent events. Each client polls `eventsSince` (the database is the only
 * channel between the search process and the UI server) and receives every stored event once, with
 * the event id as SSE `id`, so a reconnecting EventSource resumes through `Last-Event-ID`.
 */
import { Router } from 'express';
import type { Storage } from '../../storage/storage.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { eventsQuery, idParam, queryOf } from '../params.ts';

export interface EventsOptions {
  /** How often each client polls the store; default 500 ms. */
  readonly pollMs?: number;
  /** Comment line keeping proxies from closing idle streams; default 15 s. */
  readonly heartbeatMs?: number;
  /** Simultaneous streams; more get 429. Default 64. */
  readonly maxClients?: number;
}

const BATCH = 500;

export function eventRoutes(storage: Storage, options: EventsOptions = {}): Router {
  const r = Router();
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxClients = options.maxClients ?? 64;
  let clients = 0;
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
    if (clients >= maxClients) throw new HttpError(429, `too many event streams (limit ${maxClients})`);
    if (q.experimentId !== undefined) await storage.getExperiment(q.experimentId);
    let after = resume ?? (q.after === 'latest' ? await latest() : q.after ?? 0);
    clients++;
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(`retry: ${Math.max(1000, pollMs * 2)}\n: connected\n\n`);

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const opts = q.experimentId === undefined ? { limit: BATCH } : { experimentId: q.experimentId, limit: BATCH };
    const poll = async (): Promise<void> => {
      polling = true;
      try {
        for (;;) {
          const events = await storage.eventsSince(after, opts);
          if (closed) return;
          for (const e of events) {
            res.write(`id: ${e.id}\nevent: ${e.type.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(e)}\n\n`);
            after = e.id;
          }
          if (events.length < BATCH) break;
        }
      } catch (e) {
        if (closed) return;
        res.write(`event: error\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`);
        res.end();
        return;
      }
      polling = false;
      if (!closed) timer = setTimeout(() => void poll(), pollMs);
    };
    const beat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    // A store that announces new events (PostgreSQL NOTIFY) is read at once instead of at the next poll.
    let polling = false;
    const wake = () => {
      if (closed || polling || !timer) return;
      clearTimeout(timer);
      timer = undefined;
      void poll();
    };
    const unwatch = storage.watchEvents ? await storage.watchEvents(wake).catch(() => null) : null;
    res.on('close', () => {
      closed = true;
      clients--;
      clearInterval(beat);
      unwatch?.();
      if (timer) clearTimeout(timer);
    });
    await poll();
  });

  return r;
}
