/**
 * The reliability drills in CI, with reduced counts (the full-size runs and their figures are in the
 * README's reliability table). Each drill runs as its own process, exactly as a person runs it, and
 * must print a passing `DRILL {…}` line; its figures are echoed in the test output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const CI_RUNS: readonly [string, readonly string[]][] = [
  ['stream-drill', ['--aborts', '300', '--burst', '500']],
  ['fuzz-drill', ['--requests', '1500']],
  ['crash-drill', ['--kills', '4', '--early', '2', '--budget', '16']],
  // the surrogate loop killed mid-round (predictor fit, inner search, verification): predictions and round records compared too
  ['crash-drill', ['--strategy', 'surrogate', '--kills', '3', '--early', '0', '--budget', '12']],
  // and co-searching an accelerator pool: kills also land while a pool refresh is prefetched
  ['crash-drill', ['--strategy', 'surrogate-joint', '--kills', '3', '--early', '0', '--budget', '12']],
  ['export-kill-drill', ['--kills', '2']],
  ['slow-client-drill', ['--sockets', '30', '--headers-ms', '1000', '--request-ms', '2000']],
  ['ipv6-drill', []],
];

function runDrill(name: string, args: readonly string[]): Promise<{ code: number | null; out: string; figures: Record<string, unknown> | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `test/drills/${name}.ts`, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('DRILL '));
      resolve({ code, out, figures: line ? (JSON.parse(line.slice('DRILL '.length)) as Record<string, unknown>) : null });
    });
  });
}

describe('reliability drills (CI-sized)', () => {
  it.each(CI_RUNS)('%s passes', async (name, args) => {
    const r = await runDrill(name, args);
    console.log(`${name} ${args.join(' ')}\n${r.out.split('\n').filter((l) => l.startsWith('  ')).join('\n')}`);
    expect(r.figures, r.out.slice(-3000)).not.toBeNull();
    expect(r.figures?.failures, r.out.slice(-3000)).toEqual([]);
    expect(r.figures?.pass).toBe(true);
    expect(r.code).toBe(0);
  }, 240_000);
});
