/**
 * In-memory Storage with the same semantics as the SQLite one (same conformance suite): for tests,
 * benchmarks and throw-away searches. Values pass through a JSON round-trip like SQLite's TEXT
 * columns, records are frozen once and shared (they are immutable), and `commitStep` validates the
 * whole step before changing anything, which is what makes it atomic here.
 */
import { NotFoundError, StorageError, ConfigError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import { compareTrials, completion, deepFreeze, jsonCopy, lutIdentity, systemClock, type Clock } from './records.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { Storage } from './storage.ts';
import type {
  CheckpointRecord, EventRecord, ExperimentRecord, ExperimentStatus, ExperimentSummary, FailedOutcome, FinishedOutcome,
  LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, NewEvent, NewExperiment, NewPredictor, NewTrial, Page,
  PredictorRecord, SnapshotRecord, StepInput, StepResult, TrialQuery, TrialRecord,
} from './types.ts';
import {
  checkCheckpoint, checkEvent, checkExperiment, checkId, checkLutEntry, checkOutcome, checkPredictor,
  checkEventsQuery, checkProvenance, checkProvenanceFilter, checkQuery, checkStatus, checkNewTrialCopy, frozenJson, type NormalOutcome,
} from './validate.ts';

const LOCATION = ':memory:';

export class MemoryStorage implements Storage {
  readonly location = LOCATION;
  private closed = false;
  private readonly experiments = new Map<number, ExperimentRecord>();
  private readonly trials = new Map<number, TrialRecord>();
  private readonly snapshots = new Map<number, SnapshotRecord>();
  private readonly events: EventRecord[] = [];
  private readonly lut = new Map<string, LutEntryRecord>();
  private readonly predictors: PredictorRecord[] = [];
  private readonly checkpoints: CheckpointRecord[] = [];
  private seq = { experiment: 0, trial: 0, event: 0, predictor: 0, checkpoint: 0 };

  constructor(private readonly clock: Clock = systemClock) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private open(): void {
    if (this.closed) throw new StorageError(LOCATION, 'storage is closed');
  }

  async schemaVersion(): Promise<number> {
    this.open();
    return SCHEMA_VERSION;
  }

  async createExperiment(input: NewExperiment): Promise<ExperimentRecord> {
    this.open();
    const e = checkExperiment(input);
    if ([...this.experiments.values()].some((x) => x.name === e.name)) throw new ConfigError('experiment.name', e.name, 'already exists');
    const now = this.now();
    const rec = deepFreeze({ id: ++this.seq.experiment, ...jsonCopy({ ...e, objectives: e.objectives.map((o) => ({ ...o })) }), status: 'created' as const, createdAt: now, updatedAt: now });
    this.experiments.set(rec.id, rec);
    return rec;
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    this.open();
    const rec = this.experiments.get(checkId(id, 'experimentId'));
    if (!rec) throw new NotFoundError('experiment', id);
    return rec;
  }

  async findExperiment(name: string): Promise<ExperimentRecord | null> {
    this.open();
    return [...this.experiments.values()].find((x) => x.name === name) ?? null;
  }

  async listExperiments(): Promise<readonly ExperimentSummary[]> {
    this.open();
    const counts = new Map<number, { total: number; running: number; finished: number; failed: number }>();
    for (const t of this.trials.values()) {
      const c = counts.get(t.experimentId) ?? { total: 0, running: 0, finished: 0, failed: 0 };
      c.total++;
      c[t.state]++;
      counts.set(t.experimentId, c);
    }
    return deepFreeze(
      [...this.experiments.values()]
        .sort((a, b) => b.id - a.id)
        .map((e) => ({ ...e, trials: counts.get(e.id) ?? { total: 0, running: 0, finished: 0, failed: 0 } })),
    );
  }

  async setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
    const prev = await this.getExperiment(id);
    const rec = deepFreeze({ ...prev, status: checkStatus(status), updatedAt: this.now() });
    this.experiments.set(id, rec);
    return rec;
  }

  private requireExperiment(id: number, field: string): void {
    if (!this.experiments.has(checkId(id, field))) throw new NotFoundError('experiment', id);
  }

  /** A record from an already checked input (`checkNewTrialCopy`: arch and hw are frozen copies). */
  private newTrial(t: Required<NewTrial>, number: number, outcome: NormalOutcome | null): TrialRecord {
    const now = this.now();
    return deepFreeze({
      id: 0, experimentId: t.experimentId, number, state: outcome?.state ?? 'running',
      arch: t.arch, hw: t.hw, key: t.key,
      ...completion(outcome, now), createdAt: now,
    });
  }

  /** Per-experiment trial counts, kept in step with `trials` so steps stay O(1) in the trial count. */
  private readonly counts = new Map<number, { total: number; done: number }>();

  private store(rec: TrialRecord): void {
    const prev = this.trials.get(rec.id);
    const c = this.counts.get(rec.experimentId) ?? { total: 0, done: 0 };
    if (!prev) c.total++;
    c.done += (rec.state !== 'running' ? 1 : 0) - (prev && prev.state !== 'running' ? 1 : 0);
    this.counts.set(rec.experimentId, c);
    this.trials.set(rec.id, rec);
  }

  private trialCount(experimentId: number): number {
    return this.counts.get(experimentId)?.total ?? 0;
  }

  async startTrial(input: NewTrial): Promise<TrialRecord> {
    this.open();
    const t = checkNewTrialCopy(input);
    this.requireExperiment(t.experimentId, 'trial.experimentId');
    const rec = deepFreeze({ ...this.newTrial(t, this.trialCount(t.experimentId) + 1, null), id: ++this.seq.trial });
    this.store(rec);
    return rec;
  }

  async startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]> {
    this.open();
    // Everything is checked before the first insert: a bad item leaves the store unchanged.
    const checked = inputs.map((input, i) => checkNewTrialCopy(input, `trials[${i}]`));
    checked.forEach((t, i) => this.requireExperiment(t.experimentId, `trials[${i}].experimentId`));
    return Object.freeze(checked.map((t) => {
      const rec = deepFreeze({ ...this.newTrial(t, this.trialCount(t.experimentId) + 1, null), id: ++this.seq.trial });
      this.store(rec);
      return rec;
    }));
  }

  private completed(id: number, outcome: NormalOutcome, pending: ReadonlySet<number>): TrialRecord {
    const prev = this.trials.get(checkId(id, 'trialId'));
    if (!prev) throw new NotFoundError('trial', id);
    if (prev.state !== 'running' || pending.has(id)) {
      throw new StorageError(LOCATION, `trial ${id} is already ${pending.has(id) ? 'completed in this step' : prev.state}; finished trials are immutable`, { trialId: id });
    }
    return deepFreeze({ ...prev, ...completion(outcome, this.now()), state: outcome.state });
  }

  async finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord> {
    this.open();
    const rec = this.completed(id, checkOutcome({ ...outcome, state: 'finished' }), new Set());
    this.store(rec);
    return rec;
  }

  async failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord> {
    this.open();
    const rec = this.completed(id, checkOutcome({ ...outcome, state: 'failed' }), new Set());
    this.store(rec);
    return rec;
  }

  async getTrial(id: number): Promise<TrialRecord> {
    this.open();
    const rec = this.trials.get(checkId(id, 'trialId'));
    if (!rec) throw new NotFoundError('trial', id);
    return rec;
  }

  private matching(query: TrialQuery): TrialRecord[] {
    const q = checkQuery(query);
    return [...this.trials.values()].filter(
      (t) => (q.experimentId === null || t.experimentId === q.experimentId) && (q.states === null || q.states.includes(t.state)) && (q.feasible === null || t.feasible === q.feasible),
    );
  }

  async listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
    this.open();
    const q = checkQuery(query);
    const all = this.matching(query).sort(compareTrials(q.sort, q.order));
    return deepFreeze({ items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset });
  }

  async countTrials(query: TrialQuery = {}): Promise<number> {
    this.open();
    return this.matching(query).length;
  }

  async commitStep(input: StepInput): Promise<StepResult> {
    this.open();
    checkId(input?.experimentId, 'step.experimentId');
    const state = frozenJson(input.snapshot, 'step.snapshot');
    const events = (input.events ?? []).map((e) => checkEvent(e));
    const outcomes = input.trials.map((t, i) => checkOutcome(t.outcome, `step.trials[${i}].outcome`));
    this.requireExperiment(input.experimentId, 'step.experimentId');
    // Checked up front: putEvent runs in phase 2, where a NotFoundError would leave a half-applied step.
    events.forEach((e, i) => {
      if (e.experimentId !== null) this.requireExperiment(e.experimentId, `step.events[${i}].experimentId`);
    });
    // Phase 1: build every record without touching the store; any throw leaves it unchanged.
    const planned: { insert: boolean; rec: TrialRecord }[] = [];
    const pending = new Set<number>();
    let number = this.trialCount(input.experimentId);
    input.trials.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (item.trialId !== undefined) {
        const rec = this.completed(item.trialId, outcome, pending);
        if (rec.experimentId !== input.experimentId) throw new ConfigError(`step.trials[${i}].trialId`, item.trialId, `belongs to experiment ${rec.experimentId}, not ${input.experimentId}`);
        pending.add(rec.id);
        planned.push({ insert: false, rec });
      } else {
        const t = checkNewTrialCopy(item, `step.trials[${i}]`);
        if (t.experimentId !== input.experimentId) throw new ConfigError(`step.trials[${i}].experimentId`, item.experimentId, `must equal step.experimentId ${input.experimentId}`);
        planned.push({ insert: true, rec: this.newTrial(t, ++number, outcome) });
      }
    });
    // Phase 2: apply.
    const trials = planned.map(({ insert, rec }) => {
      const stored = insert ? deepFreeze({ ...rec, id: ++this.seq.trial }) : rec;
      this.store(stored);
      return stored;
    });
    const snapshot = this.putSnapshot(input.experimentId, state);
    return deepFreeze({ trials, snapshot, events: events.map((e) => this.putEvent(e)) });
  }

  /** `state` is already a frozen JSON copy (frozenJson). */
  private putSnapshot(experimentId: number, state: Json): SnapshotRecord {
    const done = this.counts.get(experimentId)?.done ?? 0;
    const rec = deepFreeze({ experimentId, trialCount: done, state, savedAt: this.now() });
    this.snapshots.set(experimentId, rec);
    return rec;
  }

  async saveSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    this.open();
    this.requireExperiment(experimentId, 'experimentId');
    return this.putSnapshot(experimentId, frozenJson(state, 'snapshot'));
  }

  async loadSnapshot(experimentId: number): Promise<SnapshotRecord | null> {
    this.open();
    this.requireExperiment(experimentId, 'experimentId');
    return this.snapshots.get(experimentId) ?? null;
  }

  private putEvent(e: Required<NewEvent>): EventRecord {
    if (e.experimentId !== null) this.requireExperiment(e.experimentId, 'event.experimentId');
    const rec = deepFreeze({ id: ++this.seq.event, experimentId: e.experimentId, type: e.type, payload: frozenJson(e.payload, 'event.payload'), createdAt: this.now() });
    this.events.push(rec);
    return rec;
  }

  async appendEvent(input: NewEvent): Promise<EventRecord> {
    this.open();
    const e = checkEvent(input);
    if (e.experimentId !== null) this.requireExperiment(e.experimentId, 'event.experimentId');
    return this.putEvent(e);
  }

  async eventsSince(afterId: number, options: { experimentId?: number; limit?: number } = {}): Promise<readonly EventRecord[]> {
    this.open();
    const { after, limit } = checkEventsQuery(afterId, options);
    const out = this.events.filter((e) => e.id > after && (options.experimentId === undefined || e.experimentId === options.experimentId));
    return Object.freeze(out.slice(0, limit));
  }

  async upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]> {
    this.open();
    const now = this.now();
    const recs = entries.map((e, i) => deepFreeze(checkLutEntry(e, i, now)));
    for (const r of recs) this.lut.set(lutIdentity(r), r);
    return Object.freeze(recs);
  }

  async listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    this.open();
    const f = checkProvenanceFilter(filter);
    const keys = Object.keys(f) as (keyof LutProvenance)[];
    const out = [...this.lut.values()].filter((e) => keys.every((k) => e[k] === f[k]));
    const order = ['key', 'backend', 'tfjsVersion', 'cpuModel', 'threads', 'batchSize'] as const;
    const cmp = (a: LutEntryRecord, b: LutEntryRecord): number => {
      for (const k of order) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
      return 0;
    };
    return Object.freeze(out.sort(cmp));
  }

  async missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
    this.open();
    const p = checkProvenance(provenance);
    return Object.freeze([...new Set(keys)].filter((key) => !this.lut.has(lutIdentity({ ...p, key }))));
  }

  async savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    this.open();
    const p = checkPredictor(input);
    const rec = deepFreeze({ id: ++this.seq.predictor, ...p, metadata: jsonCopy(p.metadata), createdAt: this.now() });
    this.predictors.push(rec);
    return withBlobCopy(rec);
  }

  async loadPredictor(kind: string): Promise<PredictorRecord | null> {
    this.open();
    const found = this.predictors.filter((p) => p.kind === kind).at(-1);
    return found ? withBlobCopy(found) : null;
  }

  async listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    this.open();
    return Object.freeze(this.predictors.filter((p) => kind === undefined || p.kind === kind).reverse().map(withBlobCopy));
  }

  async saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    this.open();
    const c = checkCheckpoint(input);
    const rec = deepFreeze({ id: ++this.seq.checkpoint, ...c, metadata: jsonCopy(c.metadata), createdAt: this.now() });
    this.checkpoints.push(rec);
    return rec;
  }

  async listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
    this.open();
    return Object.freeze(this.checkpoints.filter((c) => dataset === undefined || c.dataset === dataset).reverse());
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function withBlobCopy(p: PredictorRecord): PredictorRecord {
  return p.blob === null ? p : Object.freeze({ ...p, blob: new Uint8Array(p.blob) });
}
