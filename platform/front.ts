/** The Pareto front of an experiment's finished, feasible trials (read back from storage). */
import type { Objective } from '../core/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { TrialRecord } from '../storage/types.ts';
import { paretoFrontIndices } from '../core/pareto.ts';
import { missingObjectives, toMinimize } from '../strategies/objectives.ts';

export async function allTrials(storage: Storage, experimentId: number): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await storage.listTrials({ experimentId, sort: 'number', limit: 10_000, offset });
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

export function paretoTrials(trials: readonly TrialRecord[], objectives: readonly Objective[]): TrialRecord[] {
  const ok = trials.filter((t) => t.state === 'finished' && t.feasible !== false && t.metrics && missingObjectives(t.metrics, objectives).length === 0);
  const front = paretoFrontIndices(ok.map((t) => toMinimize(t.metrics ?? {}, objectives)));
  return front.map((i) => ok[i] as TrialRecord).sort((a, b) => a.number - b.number);
}
