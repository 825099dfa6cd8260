/**
 * Waiting for "something changed" on a PostgreSQL channel: LISTEN on a dedicated connection, and a
 * timeout as the floor, so a lost notification (or a listen connection dropped by a server restart,
 * re-opened on the next wait) costs at most one poll interval, never a hang.
 */
import type pg from 'pg';
import type { PgDb } from '../storage/pg-db.ts';

export class Waker {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiting = new Set<() => void>();
  private closed = false;

  constructor(private readonly db: PgDb, private readonly channel: string) {}

  private listen(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const c = this.db.client();
      c.on('notification', () => this.wakeAll());
      c.on('error', () => {
        if (this.client === c) this.client = null;
        void c.end().catch(() => undefined);
      });
      try {
        await c.connect();
        await c.query(`LISTEN "${this.channel}"`);
        if (this.closed) await c.end();
        else this.client = c;
      } catch {
        await c.end().catch(() => undefined);
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private wakeAll(): void {
    for (const w of [...this.waiting]) w();
  }

  /** Resolves on a notification, after `ms`, or when `signal` aborts — whichever comes first. */
  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    await this.listen();
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const c = this.client;
    this.client = null;
    await this.connecting;
    await c?.end().catch(() => undefined);
  }
}
