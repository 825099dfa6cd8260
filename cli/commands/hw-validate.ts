/**
 * `nas hw validate [--data DIR] [--suite S,...] [--json]`: the fidelity report — for every reference
 * case of Timeloop, SCALE-Sim, MAESTRO and Bit Fusion found in the reference-data directory, and
 * for the published-silicon checks (Eyeriss chip table, chip areas): expected, ours, error. Exits
 * 10 when a case marked exact differs; 6 when --data names no directory.
 */
import type { Command } from 'commander';
import { CheckFailedError, ConfigError } from '../../core/errors.ts';
import { DATA_ENV, DEFAULT_DATA_DIR, runValidation, SUITES, type Check, type Suite, type ValidationReport } from '../../hardware/validate/index.ts';
import { formatTable, printJson, withJson } from '../context.ts';

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(5);
}

function verdict(c: Check): string {
  if (c.pass === null) return 'info';
  const kind = c.exact ? (c.tolerance ? `exact ±${c.tolerance}` : 'exact') : `goal ±${Math.round((c.tolerance ?? 0) * 100)} %`;
  return `${c.pass ? 'ok' : 'MISS'} (${kind})`;
}

function formatValidation(r: ValidationReport): string {
  const out: string[] = [`reference data: ${r.dataDir ?? `none (${DEFAULT_DATA_DIR} absent)`}`];
  for (const s of r.skipped) out.push(`skipped ${s.suite}: ${s.reason}`);
  out.push(formatTable(r.checks, [
    { header: 'suite', get: (c) => c.suite }, { header: 'case', get: (c) => c.case }, { header: 'metric', get: (c) => c.metric },
    { header: 'expected', get: (c) => fmt(c.expected), align: 'right' }, { header: 'ours', get: (c) => fmt(c.ours), align: 'right' },
    { header: 'error', get: (c) => (c.error === 0 ? '0' : `${(100 * c.error).toFixed(c.exact ? 4 : 1)} %`), align: 'right' },
    { header: 'check', get: verdict }, { header: 'note', get: (c) => c.note ?? '' },
  ]));
  out.push(`${r.checks.length} checks: ${r.exactFailures} exact case(s) differ, ${r.goalMisses} goal(s) missed, ${r.checks.filter((c) => c.pass === null).length} informative`);
  return `${out.join('\n')}\n`;
}

export function registerHwValidate(hw: Command): void {
  withJson(
    hw.command('validate')
      .description('fidelity report: Timeloop, SCALE-Sim, MAESTRO and Bit Fusion reference cases, the Eyeriss chip table and chip areas')
      .option('--data <dir>', `reference data directory (default: $${DATA_ENV}, else ${DEFAULT_DATA_DIR} when present)`)
      .option('--suite <list>', `comma-separated subset of ${SUITES.join(', ')}`),
  ).action((opts: { data?: string; suite?: string; json?: boolean }) => {
    const suites = opts.suite?.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = suites?.find((s) => !(SUITES as readonly string[]).includes(s));
    if (bad !== undefined) throw new ConfigError('--suite', bad, `must be among ${SUITES.join(', ')}`);
    const report = runValidation({ ...(opts.data !== undefined ? { dataDir: opts.data } : {}), ...(suites ? { suites: suites as Suite[] } : {}) });
    if (opts.json) printJson(report);
    else process.stdout.write(formatValidation(report));
    if (report.exactFailures > 0) {
      const first = report.checks.find((c) => c.exact && c.pass === false);
      throw new CheckFailedError(`${report.exactFailures} reference case(s) marked exact differ, first: ${first?.suite} ${first?.case} ${first?.metric}`, { failures: report.exactFailures });
    }
  });
}
