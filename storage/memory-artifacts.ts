/**
 * What MemoryStorage keeps besides experiments and trials: latency LUT entries (unique per
 * provenance + key), predictors and supernet checkpoints. Inputs are checked here with the shared
 * edge checks; whether the store is open is the caller's concern.
 */
import { deepFreeze, jsonCopy, lutIdentity } from './records.ts';
import type {
  CheckpointRecord, LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, NewPredictor, PredictorRecord,
} from './types.ts';
import { checkCheckpoint, checkLutEntry, checkPredictor, checkProvenance, checkProvenanceFilter } from './validate.ts';

export class MemoryArtifacts {
  private readonly lut = new Map<string, LutEntryRecord>();
  private readonly predictors: PredictorRecord[] = [];
  private readonly checkpoints: CheckpointRecord[] = [];
  private seq = { predictor: 0, checkpoint: 0 };

  constructor(private readonly now: () => string) {}

  upsertLutEntries(entries: readonly LutEntryInput[]): readonly LutEntryRecord[] {
    const now = this.now();
    const recs = entries.map((e, i) => deepFreeze(checkLutEntry(e, i, now)));
    for (const r of recs) this.lut.set(lutIdentity(r), r);
    return Object.freeze(recs);
  }

  listLutEntries(filter: Partial<LutProvenance>): readonly LutEntryRecord[] {
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

  missingLutKeys(provenance: LutProvenance, keys: readonly string[]): readonly string[] {
    const p = checkProvenance(provenance);
    return Object.freeze([...new Set(keys)].filter((key) => !this.lut.has(lutIdentity({ ...p, key }))));
  }

  savePredictor(input: NewPredictor): PredictorRecord {
    const p = checkPredictor(input);
    const rec = deepFreeze({ id: ++this.seq.predictor, ...p, metadata: jsonCopy(p.metadata), createdAt: this.now() });
    this.predictors.push(rec);
    return withBlobCopy(rec);
  }

  loadPredictor(kind: string): PredictorRecord | null {
    const found = this.predictors.filter((p) => p.kind === kind).at(-1);
    return found ? withBlobCopy(found) : null;
  }

  listPredictors(kind?: string): readonly PredictorRecord[] {
    return Object.freeze(this.predictors.filter((p) => kind === undefined || p.kind === kind).reverse().map(withBlobCopy));
  }

  saveCheckpoint(input: NewCheckpoint): CheckpointRecord {
    const c = checkCheckpoint(input);
    const rec = deepFreeze({ id: ++this.seq.checkpoint, ...c, metadata: jsonCopy(c.metadata), createdAt: this.now() });
    this.checkpoints.push(rec);
    return rec;
  }

  listCheckpoints(dataset?: string): readonly CheckpointRecord[] {
    return Object.freeze(this.checkpoints.filter((c) => dataset === undefined || c.dataset === dataset).reverse());
  }
}

function withBlobCopy(p: PredictorRecord): PredictorRecord {
  return p.blob === null ? p : Object.freeze({ ...p, blob: new Uint8Array(p.blob) });
}
