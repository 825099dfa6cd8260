/**
 * How the API answers failures: always JSON `{ error, field? }` with a 4xx status for anything the
 * client caused (bad params, unknown ids, oversized bodies), 500 only for our own bugs. NasErrors map
 * by kind, zod issues by their path, body-parser / path decoding errors by their own 4xx status.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { isNasError, type NasError } from '../core/errors.ts';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Parses `value` with `schema`, throwing HttpError(400) naming the first offending field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : where;
  throw new HttpError(400, `${field}: ${issue?.message ?? 'invalid'}`, field);
}

const NAS_STATUS: Record<NasError['kind'], number> = {
  config: 400,
  usage: 400,
  invalidArch: 400,
  notFound: 404,
  dataset: 422,
  hardware: 422,
  check: 500,
  backend: 503,
  storage: 503,
  internal: 500,
  interrupted: 503,
};

function describe(err: unknown): { status: number; error: string; field?: string } {
  if (err instanceof HttpError) return { status: err.status, error: err.message, ...(err.field ? { field: err.field } : {}) };
  if (isNasError(err)) {
    const field = typeof err.details.field === 'string' ? err.details.field : undefined;
    return { status: NAS_STATUS[err.kind], error: err.message, ...(field ? { field } : {}) };
  }
  // body-parser, path decoding (URIError with status 400) and send errors carry their own 4xx status.
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, error: (err as Error).message || 'bad request', ...(status === 413 ? { field: 'body' } : {}) };
  }
  return { status: 500, error: 'internal error' };
}

/** `hide`: directory prefixes removed from messages sent to clients (the server's own paths). */
export function errorHandler(log: (e: unknown) => void, hide: readonly string[] = []): ErrorRequestHandler {
  return (err, req, res, next) => {
    // The client went away or broke the connection (malformed follow-up bytes, reset): nothing to answer.
    if (req.socket.destroyed) return;
    if (res.headersSent) return next(err);
    const d = describe(err);
    if (d.status >= 500) log(err);
    const error = hide.reduce((m, prefix) => m.split(prefix).join(''), d.error);
    res.status(d.status).json({ error, ...(d.field ? { field: d.field } : {}) });
  };
}

export const notFoundApi: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route ${req.method} ${req.path}` });
};
