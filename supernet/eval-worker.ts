/**
 * One worker thread of the subnet evaluation pool (eval-pool.ts): keeps its own tfjs backend, the
 * supernet of a checkpoint and the dataset loaded across tasks, and scores one subnet per task with
 * the very `evaluateSubnet` the main thread uses — same seed, same calibration images, same result.
 */
import { initTf } from '../runtime/tf.ts';
import { loadDataset } from '../datasets/registry.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { loadSupernet, readTrainState } from './checkpoint.ts';
import { evaluateSubnet, type EvalData, type EvalOptions, type SubnetScore } from './evaluate.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import { installKernels } from '../runtime/kernels/install.ts';

export interface EvalTask {
  readonly checkpoint: string;
  readonly backend: string;
  readonly split: 'val' | 'test';
  readonly arch: MbconvArch;
  readonly options: EvalOptions;
}

interface Loaded {
  readonly key: string;
  readonly net: MbconvSupernet;
  readonly data: { val: EvalData; test: EvalData };
}

let loaded: Loaded | undefined;

async function load(task: EvalTask): Promise<Loaded> {
  // the weights hash is part of the key: a checkpoint rewritten between tasks (training goes on) is reloaded
  const key = `${task.checkpoint}:${readTrainState(task.checkpoint).weightsSha256}:${task.backend}`;
  if (loaded?.key === key) return loaded;
  loaded?.net.dispose();
  loaded = undefined;
  installKernels(); // a worker thread is its own entry point: nothing registered the kernels here
  await initTf(task.backend);
  const { net, state } = loadSupernet(task.checkpoint);
  const ds = loadDataset(state.dataset);
  loaded = {
    key, net,
    data: { val: { train: ds.train, val: ds.val, norm: state.norm }, test: { train: ds.train, val: ds.test, norm: state.norm } },
  };
  return loaded;
}

export default async function scoreTask(task: EvalTask): Promise<SubnetScore> {
  const { net, data } = await load(task);
  return evaluateSubnet(net, task.arch, data[task.split], task.options);
}
