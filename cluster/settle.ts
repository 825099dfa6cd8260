/**
 * Waiting for a group of jobs (a search step, a workload's layers) while helping with them: the
 * issuer claims jobs of its own group — always when `localSlots` > 0, and in any case once no
 * live worker could take them (so a group never waits on workers that died or refuse) — and returns
 * the group's jobs in index order once none is open. A NOTIFY from each result write wakes it.
 */
import type { JobOutcome } from './handlers.ts';
import type { Capabilities, JobRecord, PgQueue } from './queue.ts';
import type { Waker } from './waker.ts';

export interface SettleOptions {
  readonly queue: PgQueue;
  readonly waker: Waker;
  /** The issuer's id in claims and provenance. */
  readonly me: string;
  readonly caps: Capabilities;
  /** Key prefix of the group, e.g. `eval/3/12/`. */
  readonly prefix: string;
  readonly localSlots: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Live workers that could take these jobs. */
  live(): Promise<number>;
  /** Evaluates a job here. */
  runLocal(job: JobRecord): Promise<JobOutcome>;
  readonly provenance: Record<string, string>;
}

export async function settle(o: SettleOptions): Promise<JobRecord[]> {
  for (;;) {
    const jobs = await o.queue.group(o.prefix);
    if (!jobs.some((j) => j.state === 'queued' || j.state === 'running')) return jobs;
    const slots = o.localSlots > 0 ? o.localSlots : (await o.live()) === 0 ? 1 : 0;
    const mine = slots > 0 ? await o.queue.claim(o.me, o.caps, slots, o.leaseMs, o.prefix) : [];
    for (const j of mine) await o.queue.complete(j.id, o.me, await o.runLocal(j), { ...o.provenance, at: new Date().toISOString() });
    if (mine.length === 0) await o.waker.wait(o.pollMs);
  }
}
