/**
 * Whether two `nas search` databases hold the same search: trials (network, accelerator, state,
 * verified metrics, predictions) and round records (without their timings), experiment 1 of each.
 * For speed work that must not change results (e.g. before/after a change, same seed and config).
 *
 * Usage: npx tsx bench/compare-runs.ts A.db B.db   (exit 0: identical, 1 with the first difference)
 */
import { isDeepStrictEqual } from 'node:util';
import { allTrials } from '../platform/front.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import { ROUND_NOTE } from '../strategies/surrogate/surrogate.ts';

async function load(db: string) {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const trials = (await allTrials(s, 1)).map((t) => ({ arch: t.arch, hw: t.hw, state: t.state, metrics: t.metrics, predicted: t.predicted }));
    const rounds = (await s.eventsSince(0, { experimentId: 1 })).filter((e) => e.type === ROUND_NOTE).map((e) => ({ ...(e.payload as object), ms: null }));
    return { trials, rounds };
  } finally {
    await s.close();
  }
}

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: npx tsx bench/compare-runs.ts A.db B.db\n');
  process.exit(2);
}
const [x, y] = await Promise.all([load(a), load(b)]);
const firstTrial = x.trials.findIndex((t, i) => !isDeepStrictEqual(t, y.trials[i]));
const firstRound = x.rounds.findIndex((r, i) => !isDeepStrictEqual(r, y.rounds[i]));
const same = x.trials.length === y.trials.length && x.rounds.length === y.rounds.length && firstTrial < 0 && firstRound < 0;
process.stdout.write(
  same
    ? `identical: ${x.trials.length} trials (metrics, predictions) and ${x.rounds.length} round records\n`
    : `DIFFERENT: ${x.trials.length} vs ${y.trials.length} trials, ${x.rounds.length} vs ${y.rounds.length} rounds; first differing trial #${firstTrial + 1}, round ${firstRound + 1}\n`,
);
process.exit(same ? 0 : 1);
