/** Runs an app on a real loopback socket (port 0) for tests; close() also drops open SSE streams. */
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Served {
  readonly url: string;
  get(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

export async function serve(app: Express): Promise<Served> {
  const server = await new Promise<ReturnType<Express['listen']>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async get(path, init) {
      const res = await fetch(url + path, init);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (static files)
      }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
