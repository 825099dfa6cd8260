/**
 * `nas doctor [--json]`: what this installation can do — Node and tfjs versions, active and
 * available backends (with the reason a backend is missing), every dataset with its counts, and the
 * database path and schema version. The first thing to run on a new machine and to paste in a bug.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { NasError } from '../../core/errors.ts';
import { initTf, type BackendProbe } from '../../runtime/tf.ts';
import { globalOptions, printJson, withDb, withJson } from '../context.ts';
import { datasetSummaries, type DatasetSummary } from '../../datasets/registry.ts';
import type { DatabaseInfo } from '../../storage/inspect.ts';
import { inspectStore } from '../../storage/open-store.ts';
import { benchmarkTables, formatTableStatus, type TableStatus } from '../../datasets/nb201-source.ts';

export interface DoctorReport {
  readonly node: string;
  readonly platform: string;
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly tfjs: string;
  readonly backend: { readonly active: string; readonly available: readonly string[]; readonly probes: readonly BackendProbe[] };
  readonly datasets: readonly DatasetSummary[];
  /** Benchmark tables (NAS-Bench-201): where each was found, or how to get it. */
  readonly tables: readonly TableStatus[];
  readonly database: DatabaseInfo;
}

export async function collectDoctorReport(opts: { backend?: string; db: string }): Promise<DoctorReport> {
  const rt = await initTf(opts.backend);
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    tfjs: rt.tfjsVersion,
    backend: { active: rt.backend, available: rt.available, probes: rt.probes },
    datasets: await datasetSummaries(),
    tables: benchmarkTables(),
    database: await inspectStore(opts.db),
  };
}

export function registerDoctor(program: Command): void {
  const cmd = program.command('doctor').description('check the installation: versions, backends, datasets, database');
  withJson(withDb(cmd)).action(async (opts: { json?: boolean; db: string }, command: Command) => {
    const report = await collectDoctorReport({ backend: globalOptions(command).backend, db: opts.db });
    if (opts.json) printJson(report);
    else process.stdout.write(formatDoctor(report));
    const problem = doctorProblem(report);
    if (problem) throw problem;
  });
}

/**
 * What `doctor` reported as broken, as the error that sets its exit code (7 database, 6 dataset):
 * scripts can then gate on `nas doctor`. A missing database, an optional dataset without a path and
 * an older schema (migrated on the next write) are not problems.
 */
export function doctorProblem(r: DoctorReport): NasError | null {
  if (r.database.problem) return new NasError('storage', `database: ${r.database.problem}`, { path: r.database.path });
  const broken = r.datasets.filter((d) => d.located && !d.available);
  if (broken.length > 0) return new NasError('dataset', `dataset ${broken.map((d) => `${d.name}: ${d.reason ?? 'unavailable'}`).join('; ')}`);
  return null;
}

function formatDoctor(r: DoctorReport): string {
  const lines = [
    `node      ${r.node} (${r.platform}, ${r.cpu.cores} × ${r.cpu.model})`,
    `tfjs      ${r.tfjs}`,
    `backend   ${r.backend.active} (available: ${r.backend.available.join(', ')})`,
    ...r.backend.probes.filter((p) => !p.available).map((p) => `          ${p.name}: unavailable — ${p.reason ?? 'unknown'}`),
    'datasets',
    ...r.datasets.map(
      (d) =>
        `  ${d.name.padEnd(14)} ${d.available ? `train ${d.train}  test ${d.test}  ${d.shape.join('×')}  ${d.classes} classes` : `unavailable — ${d.reason ?? ''}`}`,
    ),
    'tables',
    ...r.tables.map(formatTableStatus),
    `database  ${r.database.path} — ${
      r.database.exists ? `schema version ${r.database.schemaVersion} (supported ${r.database.supportedVersion})` : `not created yet (schema version ${r.database.supportedVersion} on first use)`
    }${r.database.problem ? ` — ${r.database.problem}` : ''}${r.database.note ? ` — ${r.database.note}` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}
