/**
 * Where a latency measurement was taken. A LUT entry is only valid for the provenance it was measured
 * under (backend, tfjs version, CPU, threads, batch), so every lookup filters on all of it.
 */
import { cpus } from 'node:os';
import { runtime } from '../../core/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import type { LutProvenance } from '../../storage/types.ts';

/** Threads the backend computes with: tfjs-node's TensorFlow uses one intra-op thread per core; the
 * wasm build loaded in Node is the single-threaded one (no SharedArrayBuffer worker pool); cpu is JS. */
export function backendThreads(backend: string): number {
  return backend === 'tensorflow' ? cpus().length : 1;
}

export function currentProvenance(batchSize: number): LutProvenance {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError('batch', batchSize, 'must be a positive integer');
  const rt = runtime();
  return {
    backend: rt.backend,
    tfjsVersion: rt.tfjsVersion,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    threads: backendThreads(rt.backend),
    batchSize,
  };
}
