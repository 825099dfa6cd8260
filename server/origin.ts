/**
 * Who may talk to the server, judged from the request's own headers (every route, present and
 * future, is behind these two middlewares):
 *
 * - `hostGuard`: the Host header must name this server — a loopback name/address, the configured
 *   host, or an explicitly allowed name. A page on evil.com whose DNS name is re-bound to 127.0.0.1
 *   ("DNS rebinding") still sends `Host: evil.com` and is refused, so a token-less loopback server
 *   does not hand its data to any web page the user happens to visit.
 * - `sameOriginWrites`: a request that changes state (anything but GET/HEAD/OPTIONS) must come from
 *   this origin and carry a JSON body type, or carry the access token as `Authorization: Bearer`.
 *   Browsers mark cross-origin requests with `Sec-Fetch-Site` and `Origin`; a form or a `no-cors`
 *   fetch cannot send `Content-Type: application/json`, and a CORS one would need a preflight we never
 *   grant. Requests without either header come from non-browser clients (curl, scripts), which
 *   cannot be forged by a web page. The rules follow Go's net/http CrossOriginProtection (Go 1.25)
 *   and the OWASP CSRF cheat sheet (Fetch Metadata, Origin verification). The token cookie does not
 *   count: SameSite cookies are also sent by other ports of the same host (same site).
 */
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { tokenMatches } from './security.ts';

export interface HostPolicy {
  /** Host names and addresses (no port) this server answers to. */
  readonly names: readonly string[];
  /** Also accept any IP literal (servers bound to a wildcard address, reached by their addresses). */
  readonly ipLiterals?: boolean;
}

export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Lower-case host name without brackets, port or trailing dot; null when the header is not a host. */
export function hostName(header: string | undefined): string | null {
  if (!header || header.length > 255) return null;
  try {
    const u = new URL(`http://${header}`);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return null;
    return u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  } catch {
    return null;
  }
}

function deny(res: Parameters<RequestHandler>[1], status: number, error: string, field: string): void {
  res.status(status).json({ error, field });
}

export function hostGuard(policy: HostPolicy): RequestHandler {
  const allowed = new Set(policy.names.map((n) => n.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()));
  return (req, res, next) => {
    const name = hostName(req.headers.host);
    if (name !== null && (allowed.has(name) || (policy.ipLiterals === true && isIP(name) !== 0))) return next();
    deny(res, 403, `host not allowed: ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} (this server answers to ${[...allowed].join(', ')}; nas ui --allow-host NAME adds one)`, 'host');
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function sameOriginWrites(token?: string): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const auth = req.headers.authorization;
    if (token !== undefined && auth?.startsWith('Bearer ') && tokenMatches(token, auth.slice('Bearer '.length).trim())) return next();
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return deny(res, 403, `cross-origin request refused (Sec-Fetch-Site: ${String(site).slice(0, 40)})`, 'origin');
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let same = false;
      try {
        const o = new URL(origin);
        same = o.protocol === 'http:' && o.host.toLowerCase() === String(req.headers.host ?? '').toLowerCase();
      } catch {
        same = false;
      }
      if (!same) return deny(res, 403, `cross-origin request refused (Origin: ${origin.slice(0, 100)})`, 'origin');
    }
    if (!JSON_TYPE.test(String(req.headers['content-type'] ?? ''))) {
      return deny(res, 415, 'state-changing requests must send Content-Type: application/json', 'content-type');
    }
    next();
  };
}
