/**
 * Renders ProgressUpdates as a cli-progress bar on a TTY (stderr, so stdout stays clean for
 * --json) and as occasional plain lines otherwise (CI logs), with elapsed time and ETA.
 */
import cliProgress from 'cli-progress';
import type { ProgressFn, ProgressUpdate } from '../core/progress.ts';

export interface ProgressRenderer {
  readonly update: ProgressFn;
  stop(): void;
}

export function createProgress(opts: { quiet?: boolean } = {}): ProgressRenderer {
  if (opts.quiet) return { update: () => {}, stop: () => {} };
  return process.stderr.isTTY ? ttyBar() : plainLines();
}

function fieldsText(u: ProgressUpdate): string {
  return Object.entries(u.fields ?? {})
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join('  ');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}

function ttyBar(): ProgressRenderer {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {fields}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase: string | undefined;
  let bare: string | undefined;
  return {
    update(u) {
      if (u.total === 0) {
        // a phase without a count: one line when it starts, no bar
        if (phase !== undefined) bar.stop();
        phase = undefined;
        if (bare !== u.phase) process.stderr.write(`${u.phase}…${u.fields ? `  ${fieldsText(u)}` : ''}\n`);
        bare = u.phase;
        return;
      }
      bare = undefined;
      if (phase !== u.phase) {
        if (phase !== undefined) bar.stop();
        phase = u.phase;
        bar.start(u.total, u.done, { phase: u.phase, fields: fieldsText(u) });
        return;
      }
      bar.setTotal(u.total);
      bar.update(u.done, { phase: u.phase, fields: fieldsText(u) });
    },
    stop() {
      if (phase !== undefined) bar.stop();
      phase = undefined;
    },
  };
}

/** Non-TTY: one line per phase change and at most one every 5 s, so logs stay readable. */
function plainLines(): ProgressRenderer {
  let phase: string | undefined;
  let last = 0;
  const start = Date.now();
  return {
    update(u) {
      const now = Date.now();
      if (phase === u.phase && now - last < 5000 && u.done < u.total) return;
      phase = u.phase;
      last = now;
      const secs = ((now - start) / 1000).toFixed(0);
      process.stderr.write(u.total === 0 ? `${u.phase}… (${secs}s) ${fieldsText(u)}\n` : `${u.phase}: ${u.done}/${u.total} (${secs}s) ${fieldsText(u)}\n`);
    },
    stop() {},
  };
}
