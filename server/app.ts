/**
 * The UI server: `createApp(deps)` builds the Express app (JSON API under /api, server-sent events,
 * the static UI) without listening, so the CLI, tests and benchmarks bind it where they like.
 *
 * Order matters: security headers first, then the Host allow-list (DNS rebinding), the token check
 * (every request, static files included), the cross-origin check of state-changing requests (CSRF),
 * the size-limited body parser, the routes, and a JSON error handler that turns anything the client
 * caused into 4xx `{ error, field }`. The event streams' book-keeping (`streamHub(app)`) lets the
 * owner of the listening server end them at shutdown.
 */
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Storage } from '../storage/storage.ts';
import { errorHandler, notFoundApi } from './http-errors.ts';
import { PointCache } from './points.ts';
import { eventRoutes, type EventsOptions } from './routes/events.ts';
import { analysisRoutes } from './routes/analysis.ts';
import { downloadRoutes } from './routes/downloads.ts';
import { experimentRoutes, type DescribeExperiment } from './routes/experiments.ts';
import { trialRoutes, type TrialBreakdown, type TrialExporter } from './routes/trials.ts';
import { hostGuard, LOOPBACK_NAMES, sameOriginWrites, type HostPolicy } from './origin.ts';
import { workerRoutes } from './routes/workers.ts';
import { requireToken, securityHeaders } from './security.ts';
import { StreamHub } from './streams.ts';

export type { TrialExporter, TrialBreakdown, ExportRequest, ExportResult } from './routes/trials.ts';
export type { DescribeExperiment } from './routes/experiments.ts';

export interface AppDeps {
  readonly storage: Storage;
  /** Enables POST /api/trials/:id/export and the UI's export button. */
  readonly exporter?: TrialExporter;
  /** Dataset and metric provenance of an experiment (the platform knows them; records alone do not). */
  readonly describe?: DescribeExperiment;
  /** Enables GET /api/trials/:id/breakdown (per-layer accelerator costs, as the export bundle has them). */
  readonly breakdown?: TrialBreakdown;
  /** When set, every request must carry it (required by `nas ui` on non-loopback hosts). */
  readonly token?: string;
  readonly events?: EventsOptions;
  /** Host names the server answers to; default the loopback names (localhost, 127.0.0.1, ::1). */
  readonly hosts?: HostPolicy;
  /** Request body limit; default '16kb' (the API only takes tiny JSON bodies). */
  readonly bodyLimit?: string;
  /** Where server errors (5xx) are reported; default stderr. */
  readonly log?: (error: unknown) => void;
}

const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), 'ui');
const ECHARTS = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');

/** The open event streams of an app made by createApp (to end them when the server shuts down). */
export function streamHub(app: Express): StreamHub {
  return app.locals.streams as StreamHub;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const hub = new StreamHub(deps.events?.maxClients ?? 64);
  app.locals.streams = hub;
  app.use(securityHeaders());
  app.use(hostGuard(deps.hosts ?? { names: LOOPBACK_NAMES }));
  if (deps.token !== undefined) {
    if (deps.token.length < 8) throw new Error('createApp: token must be at least 8 characters');
    app.use(requireToken(deps.token));
  }
  app.use(sameOriginWrites(deps.token));
  app.use(express.json({ limit: deps.bodyLimit ?? '16kb', strict: true }));

  const api = express.Router();
  api.get('/info', (_req, res) => {
    // The file name only: absolute paths tell a visitor about the machine and are no use to the UI.
    res.json({ exporter: deps.exporter !== undefined, database: basename(deps.storage.location) });
  });
  const points = new PointCache(deps.storage);
  api.use(experimentRoutes(deps.storage, points, deps.describe));
  api.use(analysisRoutes(deps.storage, points));
  api.use(downloadRoutes(deps.storage, points));
  api.use(trialRoutes(deps.storage, points, deps.exporter, deps.breakdown));
  api.use(eventRoutes(deps.storage, hub, deps.events));
  api.use(workerRoutes(deps.storage));
  api.use(notFoundApi);
  app.use('/api', api);

  app.get('/vendor/echarts.min.js', (_req, res, next) => {
    res.sendFile(ECHARTS, { maxAge: '1h' }, (e) => e && next(e));
  });
  app.use(express.static(UI_DIR, { index: 'index.html', dotfiles: 'ignore', redirect: false, fallthrough: true }));
  app.use((req, res) => {
    res.status(404).json({ error: `not found: ${req.method} ${req.path}` });
  });
  const hide = deps.storage.location.startsWith('/') ? [`${dirname(deps.storage.location)}/`] : [];
  app.use(errorHandler(deps.log ?? ((e) => process.stderr.write(`nas ui: ${(e as Error)?.stack ?? String(e)}\n`)), hide));
  return app;
}
