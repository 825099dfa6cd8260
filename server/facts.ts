/**
 * What an experiment page states about how the results came about: strategy, seed, budget,
 * constraints, accelerator space (area budget), accuracy source and dataset, and the provenance of
 * every metric. Read from the stored config (the experiment-file fields of platform/config.ts,
 * read defensively: older or hand-made configs may lack any of them); dataset and provenance come
 * from the platform (`nas ui` wires them in), since the records alone do not say.
 */
import type { Json } from '../core/types.ts';
import type { ExperimentRecord } from '../storage/types.ts';

type Obj = Record<string, Json>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const objAt = (o: Obj, k: string): Obj => (isObj(o[k]) ? (o[k] as Obj) : {});

export interface ExperimentFacts {
  readonly strategy: { readonly name: string | null; readonly options: Json };
  readonly seed: number;
  readonly budget: number | null;
  readonly batch: number | null;
  readonly constraints: readonly string[];
  readonly hardware: { readonly mode: string; readonly preset?: string; readonly areaBudgetMm2: number | null };
  readonly accuracy: { readonly source: string; readonly detail: Json } | null;
  /** Dataset accuracy is measured on (from the platform when it can tell), else null. */
  readonly dataset: string | null;
  /** metric → where its values come from, as `nas search` recorded it (empty when unknown). */
  readonly provenance: Readonly<Record<string, string>>;
  /** metric → unit, for every metric the platform can produce (objectives or not). */
  readonly units: Readonly<Record<string, string>>;
}

/** What the platform knows about an experiment beyond its records (wired in by `nas ui`). */
export interface ExperimentContext {
  readonly dataset: string | null;
  readonly provenance: Readonly<Record<string, string>>;
  readonly units?: Readonly<Record<string, string>>;
}

/** The trial budget, when the experiment config states one under a conventional key. */
export function budgetOf(config: Json): number | null {
  const candidates: Json[] = [];
  if (isObj(config)) {
    candidates.push(config.budget ?? null, config.trials ?? null, config.maxTrials ?? null);
    for (const k of ['search', 'strategy']) {
      const s = objAt(config, k);
      candidates.push(s.budget ?? null, s.trials ?? null, s.maxTrials ?? null);
    }
  }
  const n = candidates.find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return n ?? null;
}

export function experimentFacts(exp: ExperimentRecord, context: ExperimentContext): ExperimentFacts {
  const c = isObj(exp.config) ? exp.config : {};
  const strategy = objAt(c, 'strategy');
  const hw = objAt(c, 'hardware');
  const acc = isObj(c.accuracy) ? (c.accuracy as Obj) : null;
  const { source, ...detail } = acc ?? {};
  return {
    strategy: { name: typeof strategy.name === 'string' ? strategy.name : null, options: strategy.options ?? {} },
    seed: exp.seed,
    budget: budgetOf(exp.config),
    batch: typeof c.batch === 'number' ? c.batch : null,
    constraints: Array.isArray(c.constraints) ? c.constraints.map(String) : [],
    hardware: {
      mode: typeof hw.mode === 'string' ? hw.mode : 'none',
      ...(typeof hw.preset === 'string' ? { preset: hw.preset } : {}),
      areaBudgetMm2: typeof hw.areaBudgetMm2 === 'number' ? hw.areaBudgetMm2 : null,
    },
    accuracy: acc ? { source: String(source ?? 'unknown'), detail } : null,
    dataset: context.dataset,
    provenance: context.provenance,
    units: { ...context.units, ...Object.fromEntries(exp.objectives.map((o) => [o.name, o.unit])) },
  };
}
