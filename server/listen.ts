/**
 * Binding an app made by createApp, hardened against slow clients, and shutting it down promptly.
 *
 * Node's defaults let a client hold a connection for a long time by sending a request slowly
 * (headersTimeout 60 s, requestTimeout 300 s, checked every 30 s); a local tool needs far less. The
 * timeouts cover receiving the request only, so long-lived event streams are not cut. Shutdown ends
 * the event streams (clients reconnect elsewhere or give up), stops accepting, lets in-flight
 * requests finish for a short grace period and then drops every remaining connection.
 */
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { streamHub } from './app.ts';

export interface ServerTimeouts {
  /** Time to receive the request headers; default 10 s. */
  readonly headersMs?: number;
  /** Time to receive the whole request (headers and body); default 30 s. */
  readonly requestMs?: number;
  /** Idle time before a keep-alive connection is closed; default 5 s. */
  readonly keepAliveMs?: number;
  /** How often the two request timeouts are checked; default 1 s. */
  readonly checkEveryMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<ServerTimeouts> = Object.freeze({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkEveryMs: 1_000 });

export function listen(app: Express, port: number, host: string, timeouts: ServerTimeouts = {}): Promise<Server> {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const server = createServer(
    { headersTimeout: Math.min(t.headersMs, t.requestMs), requestTimeout: t.requestMs, connectionsCheckingInterval: t.checkEveryMs, requireHostHeader: true },
    app,
  );
  server.keepAliveTimeout = t.keepAliveMs;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Ends the app's event streams and closes the server; connections still open after `graceMs` are dropped. */
export async function shutdown(server: Server, app: Express, graceMs = 500): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  streamHub(app).closeAll();
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(grace);
}
