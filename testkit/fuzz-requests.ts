/**
 * Seeded random and malformed HTTP requests for fuzzing the API (test/server/fuzz.test.ts and
 * test/drills/fuzz-drill.ts): random methods, paths built from the app's real routes with broken ids
 * and encodings, traversal attempts, random query strings, bodies of the wrong type or size, and
 * (optionally) spoofed Host / Origin / Sec-Fetch-Site headers. Sent with raw http.request so
 * malformed paths reach the server unnormalised (fetch would resolve them).
 */
import { request } from 'node:http';
import type { Express } from 'express';
import type { Rng } from '../core/rng.ts';

const KEYS = ['x', 'y', 'z', 'state', 'feasible', 'sort', 'order', 'limit', 'offset', 'after', 'experimentId', 'token', '__proto__', 'constructor'];
const NASTY = [
  '', '-1', '0', '1', '2', '99999999999', '1e3', '0x10', 'NaN', 'null', 'accuracy', 'latency_ms', 'metric:accuracy', 'asc', 'desc', 'true',
  'finished', '%', '%ZZ', '%00', '%2e%2e', '..', '../..', "'; DROP TABLE trials; --", '<script>', '\u00e9\u{1F600}', 'a'.repeat(3000), '[]', '{}',
];
const STATIC = ['/', '/app.js', '/index.html', '/style.css', '/vendor/echarts.min.js'];

/** Every route path the app declares (`:param` kept), found by walking its routers; static files added. */
export function appRoutes(app: Express): string[] {
  type Layer = { route?: { path: string }; handle?: { stack?: Layer[] } };
  const found = new Set<string>(STATIC);
  const walk = (stack: readonly Layer[], prefix: string): void => {
    for (const l of stack) {
      if (l.route) found.add(prefix + l.route.path);
      else if (l.handle?.stack) walk(l.handle.stack, prefix || '/api');
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...found].sort();
}

/** Percent-encodes only what an HTTP request line cannot carry, keeping stray `%`, `..` and quotes. */
const raw = (s: string): string => s.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

export function randomPath(rng: Rng, routes: readonly string[]): string {
  let path = rng.choice(routes).replace(/:[A-Za-z]+/g, () => String(rng.intBetween(1, 4)));
  const r = rng.next();
  if (r < 0.25) path = path.replace(/\/\d+/, `/${encodeURIComponent(rng.choice(NASTY))}`);
  else if (r < 0.35) path = path.replace(/\/\d+/, `/${raw(rng.choice(NASTY))}`);
  else if (r < 0.45) path = `${path}/${rng.choice(['..', '%2e%2e', '..%2f..%2fpackage.json', '%2F', 'x'])}/${rng.choice(['package.json', 'etc/passwd', ''])}`;
  else if (r < 0.5) path = `/${raw(rng.choice(NASTY))}`;
  const params: string[] = [];
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const key = rng.choice(KEYS);
    const value = rng.choice(NASTY);
    params.push(rng.bool(0.7) ? `${encodeURIComponent(key)}=${encodeURIComponent(value)}` : `${raw(key)}=${raw(value)}`);
  }
  return params.length ? `${path}?${params.join('&')}` : path;
}

export interface FuzzBody {
  readonly body?: string;
  readonly type?: string;
}

export function randomBody(rng: Rng): FuzzBody {
  const r = rng.next();
  if (r < 0.4) return {};
  if (r < 0.55) return { body: JSON.stringify({ formats: [rng.choice(['tfjs', 'onnx', 'json', 'exe', 1, null])] }), type: 'application/json' };
  if (r < 0.7) return { body: rng.choice(['{', 'null', '[]', '"x"', '{"formats":"json"}', '{"__proto__":{"x":1}}']), type: 'application/json' };
  if (r < 0.8) return { body: 'x'.repeat(rng.intBetween(10_000, 40_000)), type: 'application/json' };
  return { body: 'a=b', type: rng.choice(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) };
}

/** Host / Origin / Sec-Fetch-Site as a browser, a script or an attacker would send them. */
export function randomOriginHeaders(rng: Rng, host: string): Record<string, string> {
  const h: Record<string, string> = {};
  const r = rng.next();
  h.host = r < 0.75 ? host : rng.choice(['evil.com', `evil.com:${host.split(':').pop()}`, 'localhost.evil.com', '127.0.0.1.nip.io', '[::2]', 'a b', '']);
  if (rng.bool(0.4)) h.origin = rng.choice([`http://${host}`, 'http://evil.com', 'null', 'http://127.0.0.1:1', 'not a url']);
  if (rng.bool(0.3)) h['sec-fetch-site'] = rng.choice(['same-origin', 'same-site', 'cross-site', 'none']);
  return h;
}

/** Status of one request (0 = connection error); rejects after `timeoutMs` (a hang). SSE streams are cut after their headers. */
export function send(url: URL, method: string, path: string, b: FuzzBody, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const all = { ...headers, ...(b.type ? { 'content-type': b.type } : {}) };
    const req = request({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, method, path, headers: all, setHost: !('host' in all) }, (res) => {
      const status = res.statusCode ?? 0;
      res.destroy();
      resolve(status);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      reject(new Error(`hang: ${method} ${path.slice(0, 120)}`));
    });
    req.end(b.body);
  });
}
