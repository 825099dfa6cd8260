/**
 * What a surrogate search recorded about its predictor, read back from storage for the CLI and the
 * API: each round's fit (held-out τ and RMSE of a k-fold cross-validation on the verified networks)
 * and the prospective check — every trial's prediction, made before it was verified, against the
 * verified value.
 */
import type { Prospective, RoundRecord } from '../strategies/surrogate/report.ts';

export { predictionOf, prospective, readRounds as surrogateRounds, type Prospective, type RoundRecord } from '../strategies/surrogate/report.ts';

const f = (v: number | null | undefined, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '-');

/** Lines for the terminal: the fit of the first and latest rounds, and the prospective check. */
export function surrogateText(rounds: readonly RoundRecord[], check: Prospective | null): string {
  if (rounds.length === 0) return '';
  const cv = (r: RoundRecord) => (r.cv ? `τ ${f(r.cv.kendallTau)}, RMSE ${f(r.cv.rmse)} pt (${r.cv.folds}-fold CV on ${r.cv.samples} verified networks)` : 'not cross-validated (too few verified networks)');
  const first = rounds[0] as RoundRecord;
  const last = rounds[rounds.length - 1] as RoundRecord;
  const lines = [
    `surrogate: ${rounds.length} rounds, ${last.evaluations.toLocaleString('en-US')} predicted candidates per round`,
    `  predictor fit, round 1: ${cv(first)}`,
    ...(rounds.length > 1 ? [`  predictor fit, round ${last.round}: ${cv(last)}`] : []),
  ];
  if (check) {
    lines.push(`  predicted before verification vs verified, ${check.n} trials: RMSE ${f(check.rmse)} pt, τ ${f(check.kendallTau)}, ${(100 * check.within1sd).toFixed(0)} % within 1 sd, ${(100 * check.within2sd).toFixed(0)} % within 2 sd`);
  }
  return `${lines.join('\n')}\n`;
}
