// Worker threads start without the TypeScript loader the `nas` command registers: register tsx
// here, then hand piscina the task function of the module the pool names in its workerData
// (eval-worker.ts for scoring, train-worker.ts for data-parallel training).
import { Piscina } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const worker = await import(new URL(Piscina.workerData.module, import.meta.url).href);
export default worker.default;
