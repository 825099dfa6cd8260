// Worker threads start without the TypeScript loader the `nas` command registers: register tsx
// here, then hand piscina the worker's task function.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./eval-worker.ts');
export default worker.default;
