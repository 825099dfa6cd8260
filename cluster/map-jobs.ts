/**
 * Mapping a workload's layers on the work queue (`nas hw map --db postgres://…`): one `map` job per
 * layer, keyed by a hash of the request, so asking again reuses the results already in the database.
 * Like a search step, the issuer helps with its own jobs (settle.ts) and evaluates all of them itself
 * when no map worker is live; results come back in layer order.
 */
import { createHash } from 'node:crypto';
import type { LayerSpec } from '../core/types.ts';
import type { MapperObjective } from '../hardware/mapper/mapper.ts';
import { mapJob, type JobOutcome, type MapPayload } from './handlers.ts';
import type { JobRecord, PgQueue } from './queue.ts';
import { settle } from './settle.ts';
import { Waker } from './waker.ts';
import { liveWorkers, workerId } from './workers.ts';

export interface MapRequest {
  readonly preset: string;
  readonly layers: readonly LayerSpec[];
  readonly objective: MapperObjective;
  readonly seed: number;
  readonly maxEvaluations?: number;
  readonly codeVersion: string;
  readonly localSlots?: number;
  readonly pollMs?: number;
}

export interface MappedLayer {
  readonly outcome: JobOutcome;
  /** Who evaluated it: a worker's host, or this process. */
  readonly by: string;
}

export async function mapOnQueue(queue: PgQueue, r: MapRequest): Promise<MappedLayer[]> {
  const payloads: MapPayload[] = r.layers.map((layer) => ({ preset: r.preset, layer, objective: r.objective, seed: r.seed, ...(r.maxEvaluations ? { maxEvaluations: r.maxEvaluations } : {}) }));
  const prefix = `map/${createHash('sha256').update(JSON.stringify([r.codeVersion, payloads])).digest('hex').slice(0, 16)}/`;
  await queue.enqueue(payloads.map((p, index) => ({ key: `${prefix}${index}`, kind: 'map' as const, index, payload: p as never, codeVersion: r.codeVersion })));
  const waker = new Waker(queue.db, queue.channel);
  const me = `issuer:${workerId()}`;
  try {
    const jobs = await settle({
      queue, waker, me, prefix, localSlots: r.localSlots ?? 1, leaseMs: 60_000, pollMs: r.pollMs ?? 500,
      caps: { kinds: ['map'], codeVersion: r.codeVersion, checkpoints: [], device: null },
      live: () => liveWorkers(queue, { kind: 'map', codeVersion: r.codeVersion, checkpointSha: null }),
      runLocal: async (j) => mapJob(j.payload as unknown as MapPayload),
      provenance: { worker: me, role: 'issuer' },
    });
    return jobs.map((j: JobRecord, i) => ({
      outcome: j.state === 'failed' ? mapJob(payloads[i]!) : j.error !== null ? { error: j.error } : { result: j.result! },
      by: (j.provenance as { host?: string; role?: string } | null)?.role === 'issuer' ? 'here' : ((j.provenance as { host?: string } | null)?.host ?? 'here'),
    }));
  } finally {
    await waker.close();
  }
}
