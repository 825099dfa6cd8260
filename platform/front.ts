/** The Pareto front of an experiment's finished, feasible trials (read back from storage). */
import type { Objective } from '../core/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { TrialRecord } from '../storage/types.ts';
import { frontIndices } from '../core/front.ts';

export async function allTrials(storage: Storage, experimentId: number): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await storage.listTrials({ experimentId, sort: 'number', limit: 10_000, offset });
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

/** The front over all `objectives` (core/front.ts: the definition the API and UI use too), by trial number. */
export function paretoTrials(trials: readonly TrialRecord[], objectives: readonly Objective[]): TrialRecord[] {
  const finished = trials.filter((t) => t.state === 'finished');
  const front = frontIndices(
    finished.map((t) => ({ feasible: t.feasible !== false, values: objectives.map((o) => t.metrics?.[o.name]) })),
    objectives.map((o) => o.direction),
  );
  return front.map((i) => finished[i] as TrialRecord).sort((a, b) => a.number - b.number);
}
