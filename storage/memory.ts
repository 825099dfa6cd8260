/**
 * In-memory Storage with the same semantics as the SQLite one (same conformance suite): for tests,
 * benchmarks and throw-away searches. Values pass through a JSON round-trip like SQLite's TEXT
 * columns, records are frozen once and shared (they are immutable), and `commitStep` validates the
 * whole step before changing anything, which is what makes it atomic here.
 * This class keeps experiments, snapshots and events; trials live in memory-trials.ts, LUT entries,
 * predictors and checkpoints in memory-artifacts.ts.
 */
import { NotFoundError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import { MemoryArtifacts } from './memory-artifacts.ts';
import { MemoryTrials } from './memory-trials.ts';
import { deepFreeze, duplicateExperiment, jsonCopy, systemClock, type Clock } from './records.ts';
import {
  checkRunEnd, checkRunStart, currentLease, runnerGone, runnerInfo, viewCounts, viewStatus, type RunEndStatus, type RunnerLease,
} from './runs.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { Storage } from './storage.ts';
import type {
  CheckpointRecord, EventRecord, ExperimentRecord, ExperimentStatus, ExperimentSummary, FailedOutcome, FinishedOutcome,
  LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, NewEvent, NewExperiment, NewPredictor, NewTrial, Page,
  PredictorRecord, SnapshotRecord, StepInput, StepResult, TrialQuery, TrialRecord,
} from './types.ts';
import {
  checkEvent, checkEventsQuery, checkExperiment, checkId, checkNewTrialCopy, checkOutcome, checkStatus, checkStepInput, frozenJson,
} from './validate.ts';

const LOCATION = ':memory:';

export class MemoryStorage implements Storage {
  readonly location = LOCATION;
  private closed = false;
  /** Stored records (status as stored, runner null); reads go through `view`. */
  private readonly experiments = new Map<number, ExperimentRecord>();
  private readonly leases = new Map<number, RunnerLease>();
  private readonly snapshots = new Map<number, SnapshotRecord>();
  private readonly events: EventRecord[] = [];
  private readonly trials = new MemoryTrials(LOCATION, () => this.now());
  private readonly artifacts = new MemoryArtifacts(() => this.now());
  private seq = { experiment: 0, event: 0 };

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
    if ([...this.experiments.values()].some((x) => x.name === e.name)) throw duplicateExperiment(e.name);
    const now = this.now();
    const rec = deepFreeze({ id: ++this.seq.experiment, ...jsonCopy({ ...e, objectives: e.objectives.map((o) => ({ ...o })) }), status: 'created' as const, runner: null, createdAt: now, updatedAt: now });
    this.experiments.set(rec.id, rec);
    return rec;
  }

  /** A stored record as readers see it: its runner, and 'interrupted' when that runner is gone (runs.ts). */
  private view(rec: ExperimentRecord): ExperimentRecord {
    const runner = runnerInfo(this.leases.get(rec.id) ?? null);
    return runner === null ? rec : deepFreeze({ ...rec, runner, status: viewStatus(rec.status, runner) });
  }

  private stored(id: number): ExperimentRecord {
    const rec = this.experiments.get(checkId(id, 'experimentId'));
    if (!rec) throw new NotFoundError('experiment', id);
    return rec;
  }

  /** Experiments whose stored state is a gone runner's. */
  private gone(): ReadonlySet<number> {
    const out = new Set<number>();
    for (const [id, lease] of this.leases) if (runnerGone(runnerInfo(lease))) out.add(id);
    return out;
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    this.open();
    return this.view(this.stored(id));
  }

  async findExperiment(name: string): Promise<ExperimentRecord | null> {
    this.open();
    const rec = [...this.experiments.values()].find((x) => x.name === name);
    return rec ? this.view(rec) : null;
  }

  async listExperiments(): Promise<readonly ExperimentSummary[]> {
    this.open();
    const counts = this.trials.stateCounts();
    return deepFreeze(
      [...this.experiments.values()]
        .sort((a, b) => b.id - a.id)
        .map((stored) => {
          const e = this.view(stored);
          const c = counts.get(e.id) ?? { total: 0, running: 0, finished: 0, failed: 0, interrupted: 0 };
          return { ...e, trials: viewCounts(c, runnerGone(e.runner)) };
        }),
    );
  }

  async setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
    this.open();
    const rec = deepFreeze({ ...this.stored(id), status: checkStatus(status), updatedAt: this.now() });
    this.experiments.set(id, rec);
    return this.view(rec);
  }

  async beginRun(experimentId: number, lease: RunnerLease = currentLease()): Promise<{ experiment: ExperimentRecord; orphans: readonly TrialRecord[] }> {
    this.open();
    checkRunStart(this.view(this.stored(experimentId)), lease);
    this.leases.set(experimentId, { host: lease.host, pid: lease.pid, start: lease.start });
    this.experiments.set(experimentId, deepFreeze({ ...this.stored(experimentId), status: 'running' as const, updatedAt: this.now() }));
    const orphans = this.trials.takeOver(experimentId);
    return deepFreeze({ experiment: this.view(this.stored(experimentId)), orphans });
  }

  async endRun(experimentId: number, status: RunEndStatus): Promise<{ experiment: ExperimentRecord; interrupted: number }> {
    this.open();
    const s = checkRunEnd(status);
    const prev = this.stored(experimentId);
    const interrupted = this.trials.interrupt(experimentId);
    this.leases.delete(experimentId);
    this.experiments.set(experimentId, deepFreeze({ ...prev, status: s, updatedAt: this.now() }));
    return deepFreeze({ experiment: this.stored(experimentId), interrupted });
  }

  private requireExperiment(id: number, field: string): void {
    if (!this.experiments.has(checkId(id, field))) throw new NotFoundError('experiment', id);
  }

  async startTrial(input: NewTrial): Promise<TrialRecord> {
    this.open();
    const t = checkNewTrialCopy(input);
    this.requireExperiment(t.experimentId, 'trial.experimentId');
    return this.trials.start([t])[0]!;
  }

  async startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]> {
    this.open();
    // Everything is checked before the first insert: a bad item leaves the store unchanged.
    const checked = inputs.map((input, i) => checkNewTrialCopy(input, `trials[${i}]`));
    checked.forEach((t, i) => this.requireExperiment(t.experimentId, `trials[${i}].experimentId`));
    return Object.freeze(this.trials.start(checked));
  }

  async finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord> {
    this.open();
    return this.trials.complete(id, checkOutcome({ ...outcome, state: 'finished' }));
  }

  async failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord> {
    this.open();
    return this.trials.complete(id, checkOutcome({ ...outcome, state: 'failed' }));
  }

  async getTrial(id: number): Promise<TrialRecord> {
    this.open();
    return this.trials.get(id, this.gone());
  }

  async listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
    this.open();
    return this.trials.list(query, this.gone());
  }

  async countTrials(query: TrialQuery = {}): Promise<number> {
    this.open();
    return this.trials.count(query, this.gone());
  }

  async commitStep(input: StepInput): Promise<StepResult> {
    this.open();
    const { snapshot: state, events, outcomes } = checkStepInput(input, frozenJson);
    this.requireExperiment(input.experimentId, 'step.experimentId');
    // Checked up front: putEvent runs in phase 2, where a NotFoundError would leave a half-applied step.
    events.forEach((e, i) => {
      if (e.experimentId !== null) this.requireExperiment(e.experimentId, `step.events[${i}].experimentId`);
    });
    // Phase 1: build every record without touching the store; any throw leaves it unchanged.
    const planned = this.trials.planStep(input.experimentId, input.trials, outcomes);
    // Phase 2: apply.
    const trials = this.trials.applyStep(planned);
    const snapshot = this.putSnapshot(input.experimentId, state);
    return deepFreeze({ trials, snapshot, events: events.map((e) => this.putEvent(e)) });
  }

  /** `state` is already a frozen JSON copy (frozenJson). */
  private putSnapshot(experimentId: number, state: Json): SnapshotRecord {
    const rec = deepFreeze({ experimentId, trialCount: this.trials.done(experimentId), state, savedAt: this.now() });
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
    return this.artifacts.upsertLutEntries(entries);
  }

  async listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    this.open();
    return this.artifacts.listLutEntries(filter);
  }

  async missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
    this.open();
    return this.artifacts.missingLutKeys(provenance, keys);
  }

  async savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    this.open();
    return this.artifacts.savePredictor(input);
  }

  async loadPredictor(kind: string): Promise<PredictorRecord | null> {
    this.open();
    return this.artifacts.loadPredictor(kind);
  }

  async listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    this.open();
    return this.artifacts.listPredictors(kind);
  }

  async saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    this.open();
    return this.artifacts.saveCheckpoint(input);
  }

  async listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
    this.open();
    return this.artifacts.listCheckpoints(dataset);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
