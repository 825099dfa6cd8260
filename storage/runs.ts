/**
 * Who is running an experiment, and what readers see when that process is gone.
 *
 * `beginRun` records a lease: this host's name, the process id and (on Linux) the process's start
 * time, so a recycled pid is not mistaken for the runner. A clean end (`endRun`: finished, stopped
 * by `nas stop` or Ctrl-C, failed) clears it and stores the step's in-flight trials as
 * `interrupted`. A killed runner (kill -9, a crash, a lost machine) cannot write anything, so every
 * read applies the same rule instead: an experiment still marked running whose lease names a
 * process that no longer exists reads as `interrupted`, and so do its running trials — in the CLI,
 * the API and the UI alike, from read-only connections too. `nas resume` (beginRun) takes them over.
 * A lease from another host cannot be checked from here and is taken as alive (with PostgreSQL the
 * runner may be on another machine); `nas stop --force` ends a run whose machine is known to be gone.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../core/errors.ts';
import type { ExperimentRecord, ExperimentStatus, TrialCounts, TrialRecord, TrialState } from './types.ts';

export interface RunnerLease {
  readonly host: string;
  readonly pid: number;
  /** Linux: boot id and start time of the process (clock ticks since boot); null where unknown. */
  readonly start: string | null;
}

/** The lease as records show it. */
export interface RunnerInfo extends RunnerLease {
  readonly alive: boolean;
}

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 22 (starttime); fields after the command name, which is in parentheses and may hold spaces
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return ticks ? `${boot}:${ticks}` : null;
  } catch {
    return null;
  }
}

export function currentLease(): RunnerLease {
  return { host: hostname(), pid: process.pid, start: procStart(process.pid) };
}

export function leaseAlive(lease: RunnerLease): boolean {
  if (lease.host !== hostname()) return true;
  if (lease.pid === process.pid) return lease.start === null || lease.start === procStart(process.pid);
  try {
    process.kill(lease.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = lease.start === null ? null : procStart(lease.pid);
  return start === null || start === lease.start;
}

export function runnerInfo(lease: RunnerLease | null): RunnerInfo | null {
  return lease === null ? null : { ...lease, alive: leaseAlive(lease) };
}

/** Whether an experiment's stored state is that of a runner that is gone. */
export function runnerGone(runner: RunnerInfo | null): boolean {
  return runner !== null && !runner.alive;
}

export function viewStatus(stored: ExperimentStatus, runner: RunnerInfo | null): ExperimentStatus {
  return stored === 'running' && runnerGone(runner) ? 'interrupted' : stored;
}

export function viewState(stored: TrialState, gone: boolean): TrialState {
  return stored === 'running' && gone ? 'interrupted' : stored;
}

export function viewCounts(c: TrialCounts, gone: boolean): TrialCounts {
  return gone ? { ...c, running: 0, interrupted: c.interrupted + c.running } : c;
}

export function viewTrial(t: TrialRecord, gone: boolean): TrialRecord {
  return gone && t.state === 'running' ? Object.freeze({ ...t, state: 'interrupted' as const }) : t;
}

/** The end states of a run (`endRun`). */
export const RUN_END_STATUSES = ['finished', 'stopped', 'failed', 'interrupted'] as const;
export type RunEndStatus = (typeof RUN_END_STATUSES)[number];

export function checkRunEnd(status: unknown): RunEndStatus {
  if (!(RUN_END_STATUSES as readonly unknown[]).includes(status)) throw new ConfigError('status', status, `a run ends ${RUN_END_STATUSES.join(', ')}`);
  return status as RunEndStatus;
}

/** Refuses a bad lease, or a start while another live process runs the experiment. */
export function checkRunStart(e: ExperimentRecord, lease: RunnerLease): void {
  const ok = lease !== null && typeof lease === 'object' && typeof lease.host === 'string' && lease.host.length > 0 && lease.host.length <= 255
    && Number.isSafeInteger(lease.pid) && lease.pid > 0 && (lease.start === null || (typeof lease.start === 'string' && lease.start.length <= 200));
  if (!ok) throw new ConfigError('lease', lease, 'must be { host: string, pid: positive integer, start: string | null }');
  const r = e.runner;
  if (r?.alive && !(r.host === lease.host && r.pid === lease.pid && r.start === lease.start)) {
    throw new ConfigError('experiment', e.name, `is being run by process ${r.pid} on ${r.host}; stop it first (nas stop ${e.name}) or wait for it to end — if that process is gone on another machine, nas stop ${e.name} --force`);
  }
}
