/**
 * `nas ui`: serves the web UI and JSON API over the database, opened read-only so the server can run
 * beside a search writing to the same file. Binds 127.0.0.1 unless told otherwise; any other address
 * requires an access token (--token or NAS_UI_TOKEN), checked on every request.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { dirname, join, resolve } from 'node:path';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { exportableFormats, exportTrial, recordedProvenance } from '../../platform/export-trial.ts';
import { trialBreakdown } from '../../platform/breakdown.ts';
import { experimentDescriber } from '../../platform/describe.ts';
import { initTf } from '../../runtime/tf.ts';
import type { ExportFormat } from '../../server/params.ts';
import { isLoopback } from '../../server/security.ts';
import { isPgUrl, openStore } from '../../storage/open-store.ts';
import type { ExperimentRecord, TrialRecord } from '../../storage/types.ts';
import { globalOptions, withDb } from '../context.ts';

export interface UiOptions {
  readonly port: string;
  readonly host: string;
  readonly db: string;
  readonly token?: string;
  /** Tensor backend for exporting models (the global --backend); default: the first available. */
  readonly backend?: string;
}

export interface RunningUi {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

function parsePort(raw: string): number {
  const port = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port', raw, 'must be an integer in [0, 65535]');
  return port;
}

/** Opens the store and starts listening; the returned handle closes both. */
export async function startUi(opts: UiOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningUi> {
  const port = parsePort(opts.port);
  const token = opts.token ?? env.NAS_UI_TOKEN ?? undefined;
  if (!isLoopback(opts.host) && !token) {
    throw new UsageError(`binding to ${opts.host} exposes the UI to the network: pass --token T or set NAS_UI_TOKEN`, { host: opts.host });
  }
  if (token !== undefined && token.length < 8) throw new ConfigError('--token', '(hidden)', 'must be at least 8 characters');
  const storage = await openStore(opts.db, { readonly: true });
  // Bundles go beside the database, one folder per trial; the client never chooses a path.
  const exportRoot = isPgUrl(opts.db) ? resolve('exports') : join(dirname(resolve(opts.db)), 'exports');
  const exporter: TrialExporter = {
    formats: (experiment) => exportableFormats(experiment) as ExportFormat[],
    async write({ experiment, trial, formats }) {
      const chosen = formats ?? exportableFormats(experiment);
      // Building the model needs a tensor backend; the server starts without one (most pages never need it).
      if (chosen.some((f) => f !== 'json')) await initTf(opts.backend);
      const r = await exportTrial(experiment, trial, { out: join(exportRoot, experiment.name, `trial-${trial.number}`), formats: chosen, overwrite: true, provenance: await recordedProvenance(storage, experiment.id) });
      return { dir: r.dir, files: r.files.map((f) => f.name) };
    },
  };
  const describe = experimentDescriber(storage);
  const breakdown = async (experiment: ExperimentRecord, trial: TrialRecord) => trialBreakdown(experiment, trial);
  const app = createApp({ storage, exporter, describe, breakdown, ...(token ? { token } : {}) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, opts.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  }).catch(async (e: NodeJS.ErrnoException) => {
    await storage.close();
    throw new ConfigError('--port', opts.port, `cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message})`);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await storage.close();
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
      .addHelpText('after', '\nExamples:\n  nas ui                      # http://127.0.0.1:8321/\n  nas ui --db runs/a.db --port 0\n  NAS_UI_TOKEN=s3cret-token nas ui --host 0.0.0.0'),
  ).action(async (opts: UiOptions, cmd: Command) => {
    const backend = globalOptions(cmd).backend;
    const ui = await startUi({ ...opts, ...(backend ? { backend } : {}) });
    const link = opts.token || process.env.NAS_UI_TOKEN ? `${ui.url}?token=…` : ui.url;
    process.stdout.write(`nas ui: serving ${opts.db} (read-only) at ${link}  — Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void ui.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}
