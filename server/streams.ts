/**
 * Book-keeping of open event streams. A slot is taken synchronously when the request arrives —
 * before the handler awaits anything — so a burst cannot get past the limit, and it is released
 * exactly once, by whichever comes first: the connection closing, the handler failing, or shutdown.
 * Every timer a stream uses belongs to its slot and is cleared on release, so nothing keeps running
 * (or keeps the process alive) for a client that went away.
 */
import type { Request, Response } from 'express';
import { HttpError } from './http-errors.ts';

/** Unread bytes queued for one client before it counts as too slow and is dropped (it reconnects with Last-Event-ID). */
const MAX_BUFFERED = 1 << 20;

export interface StreamStats {
  readonly open: number;
  readonly timers: number;
  readonly accepted: number;
  readonly refused: number;
  readonly dropped: number;
}

export class StreamSlot {
  private readonly timers = new Set<NodeJS.Timeout>();
  private released = false;

  constructor(private readonly hub: StreamHub, readonly res: Response) {}

  /** The client is gone (or the server is shutting down): stop writing. */
  get closed(): boolean {
    return this.released;
  }

  get timerCount(): number {
    return this.timers.size;
  }

  every(ms: number, fn: () => void): void {
    if (this.released) return;
    this.timers.add(setInterval(fn, ms));
  }

  after(ms: number, fn: () => void): void {
    if (this.released) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Writes unless closed; a client that stopped reading is dropped instead of buffering without bound. */
  write(chunk: string): void {
    if (this.released) return;
    if (this.res.writableLength > MAX_BUFFERED) {
      this.hub.noteDropped();
      this.end();
      return;
    }
    this.res.write(chunk);
  }

  /** Ends the response (if still open) and releases the slot. */
  end(): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
    this.release();
  }

  /** Idempotent: only the first call frees the slot. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.hub.remove(this);
  }
}

export class StreamHub {
  private readonly slots = new Set<StreamSlot>();
  private closing = false;
  private accepted = 0;
  private refused = 0;
  private dropped = 0;

  constructor(readonly maxClients: number) {
    if (!Number.isInteger(maxClients) || maxClients < 1) throw new Error(`StreamHub: maxClients must be a positive integer (got ${maxClients})`);
  }

  /** Takes a slot for this request or throws 429 (full) / 503 (shutting down). Synchronous on purpose. */
  acquire(req: Request, res: Response): StreamSlot {
    if (this.closing) throw new HttpError(503, 'the server is shutting down');
    if (this.slots.size >= this.maxClients) {
      this.refused++;
      throw new HttpError(429, `too many event streams (limit ${this.maxClients})`);
    }
    const slot = new StreamSlot(this, res);
    this.slots.add(slot);
    this.accepted++;
    res.once('close', () => slot.release());
    // The client may already be gone: then 'close' has fired before we listened.
    if (res.destroyed || req.destroyed || res.socket?.destroyed !== false) slot.release();
    return slot;
  }

  remove(slot: StreamSlot): void {
    this.slots.delete(slot);
  }

  noteDropped(): void {
    this.dropped++;
  }

  /** Ends every open stream and refuses new ones (server shutdown). */
  closeAll(): void {
    this.closing = true;
    for (const slot of [...this.slots]) slot.end();
  }

  get stats(): StreamStats {
    let timers = 0;
    for (const s of this.slots) timers += s.timerCount;
    return { open: this.slots.size, timers, accepted: this.accepted, refused: this.refused, dropped: this.dropped };
  }
}
