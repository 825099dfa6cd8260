/**
 * `nas ui`: serves the web UI and JSON API over the database, opened read-only so the server can run
 * beside a search writing to the same file (or from a read-only location). Binds 127.0.0.1 unless
 * told otherwise; any other address requires an access token (--token or NAS_UI_TOKEN), checked on
 * every request. The server answers only to its own host names (DNS rebinding), refuses cross-origin
 * writes (CSRF), times out slow clients, and stops within 2 s of SIGTERM or Ctrl-C.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { listen, shutdown, type ServerTimeouts } from '../../server/listen.ts';
import { LOOPBACK_NAMES, type HostPolicy } from '../../server/origin.ts';
import { trialBreakdown } from '../../platform/breakdown.ts';
import { experimentDescriber } from '../../platform/describe.ts';
import { initTf } from '../../runtime/tf.ts';
import type { ExportFormat } from '../../server/params.ts';
import { isLoopback } from '../../server/security.ts';
import { exportableFormats, exportFolder, exportTrial, recordedProvenance } from '../../platform/export-trial.ts';
import { isPgUrl, openStore } from '../../storage/open-store.ts';
import type { ExperimentRecord, TrialRecord } from '../../storage/types.ts';
import { globalOptions, withDb } from '../context.ts';

export interface UiOptions {
  readonly port: string;
  readonly host: string;
  readonly db: string;
  readonly token?: string;
  /** Extra host names the server answers to (e.g. the machine's DNS name). */
  readonly allowHost?: readonly string[];
  /** Where export bundles go; default `exports/` beside the database. */
  readonly exports?: string;
  readonly timeouts?: ServerTimeouts;
  /** Tensor backend for exporting models (the global --backend); default: the first available. */
  readonly backend?: string;
}

export interface RunningUi {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** How long SIGTERM / Ctrl-C may take before the process exits anyway. */
export const STOP_DEADLINE_MS = 2000;

function parsePort(raw: string): number {
  const port = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port', raw, 'must be an integer in [0, 65535]');
  return port;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * Loopback names, the bound host and any allowed names; bound to every address, also the machine's
 * own host name and any IP literal (a re-bound DNS name never arrives as an IP literal).
 */
export function hostPolicy(host: string, allow: readonly string[] = []): HostPolicy {
  const names = [...LOOPBACK_NAMES, ...(WILDCARDS.has(host) ? [hostname()] : [host]), ...allow];
  return { names, ipLiterals: !isLoopback(host) };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Opens the store and starts listening; the returned handle closes both. */
export async function startUi(opts: UiOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningUi> {
  const port = parsePort(opts.port);
  const token = opts.token ?? env.NAS_UI_TOKEN ?? undefined;
  if (!isLoopback(opts.host) && !token) {
    throw new UsageError(`binding to ${opts.host} exposes the UI to the network: pass --token T or set NAS_UI_TOKEN`, { host: opts.host });
  }
  if (token !== undefined && token.length < 8) throw new ConfigError('--token', '(hidden)', 'must be at least 8 characters');
  const storage = await openStore(opts.db, { mode: 'read' });
  // Bundles go beside the database (or --exports), one folder per trial; the client never chooses a path.
  // (a PostgreSQL store has no folder: exports go to ./exports unless --exports says otherwise)
  const exportRoot = resolve(opts.exports ?? (isPgUrl(opts.db) ? 'exports' : join(dirname(resolve(opts.db)), 'exports')));
  const exporter: TrialExporter = {
    formats: (experiment) => exportableFormats(experiment) as ExportFormat[],
    async write({ experiment, trial, formats }) {
      const out = exportFolder(exportRoot, experiment, trial);
      const chosen = formats ?? exportableFormats(experiment);
      await mkdir(exportRoot, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
        throw new ConfigError('--exports', exportRoot, `cannot be created (${e.code ?? e.message}); start nas ui with --exports DIR`);
      });
      // Building the model needs a tensor backend; the server starts without one (most pages never need it).
      if (chosen.some((f) => f !== 'json')) await initTf(opts.backend);
      const r = await exportTrial(experiment, trial, { out, root: exportRoot, formats: chosen, overwrite: true, provenance: await recordedProvenance(storage, experiment.id) });
      // Clients are told the folder relative to the database's folder, not the machine's layout.
      return { dir: r.dir, shown: relative(dirname(resolve(opts.db)), r.dir) || '.', files: r.files.map((f) => f.name) };
    },
  };
  const describe = experimentDescriber(storage);
  const breakdown = async (experiment: ExperimentRecord, trial: TrialRecord) => trialBreakdown(experiment, trial);
  const app = createApp({ storage, exporter, describe, breakdown, hosts: hostPolicy(opts.host, opts.allowHost), ...(token ? { token } : {}) });
  const server = await listen(app, port, opts.host, opts.timeouts).catch(async (e: NodeJS.ErrnoException) => {
    await storage.close();
    throw new ConfigError('--port', opts.port, `cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message})`);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}/`,
    server,
    close() {
      closing ??= shutdown(server, app).then(() => storage.close());
      return closing;
    },
  };
}

export function registerUi(program: Command): void {
  withDb(
    program
      .command('ui')
      .description('serve the web UI (Pareto fronts, trials, export) over a results database')
      .option('--port <port>', 'TCP port (0 = any free port)', '8321')
      .option('--host <host>', 'address to bind; non-loopback addresses require a token', '127.0.0.1')
      .option('--token <token>', 'access token required on every request (env NAS_UI_TOKEN)')
      .option('--allow-host <names>', 'more host names the server answers to (comma-separated; e.g. the machine\'s DNS name)', collect)
      .option('--exports <dir>', 'folder for export bundles (default: exports/ beside the database)')
      .addHelpText('after', '\nExamples:\n  nas ui                      # http://127.0.0.1:8321/\n  nas ui --db runs/a.db --port 0\n  nas ui --host ::1           # IPv6 loopback\n  NAS_UI_TOKEN=s3cret-token nas ui --host 0.0.0.0 --allow-host gpu-box.lan'),
  ).action(async (opts: UiOptions, cmd: Command) => {
    const backend = globalOptions(cmd).backend;
    const ui = await startUi({ ...opts, ...(backend ? { backend } : {}) });
    const link = opts.token || process.env.NAS_UI_TOKEN ? `${ui.url}?token=…` : ui.url;
    process.stdout.write(`nas ui: serving ${opts.db} (read-only) at ${link}  — Ctrl-C to stop\n`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // Open streams are ended and the database closed; should anything hang, exit anyway.
        setTimeout(() => {
          process.stderr.write(`nas ui: did not stop within ${STOP_DEADLINE_MS} ms; exiting\n`);
          process.exit(1);
        }, STOP_DEADLINE_MS).unref();
        void ui.close().then(done, (e: unknown) => {
          process.stderr.write(`nas ui: ${(e as Error).message}\n`);
          done();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}
