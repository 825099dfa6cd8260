/**
 * Security middleware: helmet headers with a content security policy the UI satisfies (scripts and
 * styles only from this origin, no inline scripts), and an optional access token checked on every
 * request — required by `nas ui` whenever it binds a non-loopback address. The Host allow-list
 * (DNS rebinding) and the cross-origin checks of state-changing requests (CSRF) live in origin.ts.
 *
 * The token travels as `Authorization: Bearer T`, as `?token=T` (the link a user opens), or as the
 * HttpOnly cookie set after a valid `?token=` so that the page's scripts, fetches and EventSource
 * (which cannot send headers) are authorised without the token appearing in script-visible state.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export const TOKEN_COOKIE = 'nas_token';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // ECharts positions its tooltip through style attributes in generated markup; inline <style>
        // elements stay forbidden.
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Served over plain HTTP on a LAN or loopback: HSTS / upgrade-insecure-requests would break it.
    strictTransportSecurity: false,
  });
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function requireToken(token: string): RequestHandler {
  return (req, res, next) => {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const q = req.query.token;
    const fromQuery = typeof q === 'string' ? q : undefined;
    if (tokenMatches(token, fromQuery)) {
      res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/' });
      return next();
    }
    if (tokenMatches(token, bearer) || tokenMatches(token, cookieValue(req.headers.cookie, TOKEN_COOKIE))) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong access token (use ?token=…, Authorization: Bearer …)', field: 'token' });
  };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
