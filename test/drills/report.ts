/**
 * How drills report: a line per figure for people, then one machine-readable line
 * `DRILL {"drill":…,"pass":…,figures…}` that test/drills/drills.test.ts parses in CI. A drill sets
 * the exit code 0 only when every check passed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Figures = Record<string, number | string | boolean>;

export function report(drill: string, figures: Figures, failures: readonly string[]): void {
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(34)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`);
  for (const f of failures) console.log(`  FAIL: ${f}`);
  console.log(failures.length === 0 ? `PASS: ${drill}` : `FAIL: ${drill} (${failures.length} checks failed)`);
  console.log(`DRILL ${JSON.stringify({ drill, pass: failures.length === 0, ...figures, failures })}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

/** Fails `failures` with `what` unless `ok`. */
export function check(failures: string[], ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

export const NAS_BIN = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));

/** Starts `nas ui` as a child process and resolves with its URL once it listens. */
export function startUiChild(args: readonly string[]): Promise<{ url: string; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [NAS_BIN, 'ui', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1] as string, child });
    });
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    child.once('exit', (code) => reject(new Error(`nas ui exited ${code}: ${err}`)));
  });
}

/** Milliseconds from SIGTERM to the child's exit (or Infinity after `limitMs`, when it is SIGKILLed). */
export function timeSigterm(child: ReturnType<typeof spawn>, limitMs: number): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const guard = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('exit', (code) => {
      clearTimeout(guard);
      const ms = performance.now() - t0;
      resolve({ ms: ms >= limitMs ? Number.POSITIVE_INFINITY : ms, code });
    });
    child.kill('SIGTERM');
  });
}
