/**
 * One worker thread of data-parallel supernet training (train-pool.ts): keeps its own tfjs backend
 * and a replica of the supernet, overwrites the replica's weights with the main thread's at every
 * task, and returns the sandwich gradients of one shard — computed by the very `shardGradients` the
 * main thread runs on its own shards.
 */
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { shardGradients, type ShardBatch, type ShardGrads, type ShardWork } from './data-parallel.ts';
import { MbconvSupernet, type SupernetOptions } from './mbconv-supernet.ts';
import { installKernels } from '../runtime/kernels/install.ts';

export interface TrainShardTask {
  readonly backend: string;
  /** The space's input config (checkpoint.ts spaceConfigJson) and the supernet's options: the replica's shape. */
  readonly spaceConfig: Record<string, unknown>;
  readonly supernetOptions: SupernetOptions;
  readonly weights: Float32Array;
  readonly batch: ShardBatch;
  readonly work: ShardWork<MbconvArch>;
}

let replica: { key: string; net: MbconvSupernet } | undefined;

async function replicaFor(task: TrainShardTask): Promise<MbconvSupernet> {
  const key = JSON.stringify([task.backend, task.spaceConfig, task.supernetOptions]);
  if (replica?.key === key) return replica.net;
  replica?.net.dispose();
  replica = undefined;
  installKernels(); // a worker thread is its own entry point: nothing registered the kernels here
  await initTf(task.backend);
  // the initial values are overwritten by every task's weights, so the seed does not matter
  const net = new MbconvSupernet(new MbconvSpace(task.spaceConfig).config, new Rng('replica'), task.supernetOptions);
  replica = { key, net };
  return net;
}

export default async function shardTask(task: TrainShardTask): Promise<ShardGrads> {
  const net = await replicaFor(task);
  net.params.assignFlat(task.weights);
  return shardGradients(net, task.batch, task.work);
}
