/**
 * The one module that owns TensorFlow.js. Everything else imports `tf` from here, so exactly one
 * tfjs-core instance exists and the backend is chosen in one place:
 *   1. `tensorflow` — @tensorflow/tfjs-node (native libtensorflow; an optionalDependency),
 *   2. `wasm`       — @tensorflow/tfjs-backend-wasm (XNNPACK + SIMD, ships inside the npm package),
 *   3. `cpu`        — @tensorflow/tfjs-backend-cpu (pure JS; slow but always there).
 * `--backend` / NAS_BACKEND override the order; asking for one that is not available is a
 * BackendUnavailableError listing the ones that are.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradient functions; tfjs-layers' Node bundle registers all of
// them into the shared global registry (tfjs-core's own dist/register_all_gradients is not Node-ESM loadable).
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { BackendUnavailableError, ConfigError } from '../core/errors.ts';

export { tf };

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Names users may type; `node` and `tfjs-node` are aliases of the native backend. */
const ALIASES: Readonly<Record<string, BackendName>> = {
  tensorflow: 'tensorflow',
  node: 'tensorflow',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

export interface BackendProbe {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why a backend is unavailable (missing package, native library failed to load, …). */
  readonly reason?: string;
}

export interface RuntimeInfo {
  readonly backend: BackendName;
  readonly tfjsVersion: string;
  readonly probes: readonly BackendProbe[];
  readonly available: readonly BackendName[];
}

const require = createRequire(import.meta.url);
let nodeProbe: BackendProbe | undefined;
/** Kernel packs (e.g. wasm gradient kernels) register themselves here before a backend is used. */
const backendHooks: Array<(backend: BackendName) => void | Promise<void>> = [];

/**
 * Loads @tensorflow/tfjs-node if it is installed and its native library loads. Importing it
 * registers the `tensorflow` backend into our tfjs-core (npm dedupes tfjs-core to one copy).
 */
async function probeNode(): Promise<BackendProbe> {
  if (nodeProbe) return nodeProbe;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    nodeProbe = { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node is not installed' };
    return nodeProbe;
  }
  try {
    await import('@tensorflow/tfjs-node' as string);
    const ok = tf.findBackendFactory('tensorflow') !== null && tf.findBackendFactory('tensorflow') !== undefined;
    nodeProbe = ok
      ? { name: 'tensorflow', available: true }
      : { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node loaded but registered no backend' };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    nodeProbe = { name: 'tensorflow', available: false, reason: `native library failed to load: ${msg}` };
  }
  return nodeProbe;
}

function probeRegistered(name: 'wasm' | 'cpu'): BackendProbe {
  const registered = tf.findBackendFactory(name) != null;
  return registered ? { name, available: true } : { name, available: false, reason: 'not registered' };
}

export async function probeBackends(): Promise<BackendProbe[]> {
  return [await probeNode(), probeRegistered('wasm'), probeRegistered('cpu')];
}

export function parseBackendName(value: string): BackendName {
  const name = ALIASES[value.trim().toLowerCase()];
  if (!name) throw new ConfigError('backend', value, `unknown backend; choose one of ${BACKEND_NAMES.join(', ')}`);
  return name;
}

/** Registers work to run after a backend becomes active (kernel registration, thread setup). */
export function onBackendReady(hook: (backend: BackendName) => void | Promise<void>): void {
  backendHooks.push(hook);
}

let current: RuntimeInfo | undefined;

/**
 * Chooses and activates the backend. Explicit request (argument, then NAS_BACKEND) wins; otherwise
 * the first available of tensorflow → wasm → cpu. Idempotent for the same request.
 */
export async function initTf(requested?: string): Promise<RuntimeInfo> {
  const ask = requested ?? process.env.NAS_BACKEND ?? undefined;
  const wanted = ask !== undefined && ask !== '' && ask !== 'auto' ? parseBackendName(ask) : undefined;
  if (current && (wanted === undefined || wanted === current.backend)) return current;

  const probes = await probeBackends();
  const available = probes.filter((p) => p.available).map((p) => p.name);
  let choice: BackendName | undefined;
  if (wanted) {
    const probe = probes.find((p) => p.name === wanted);
    if (!probe?.available) throw new BackendUnavailableError(wanted, available, probe?.reason);
    choice = wanted;
  } else {
    choice = available[0];
  }
  if (!choice) throw new BackendUnavailableError('auto', available, 'no tfjs backend could be registered');
  const ok = await tf.setBackend(choice);
  if (!ok) throw new BackendUnavailableError(choice, available.filter((b) => b !== choice), 'initialisation failed');
  await tf.ready();
  for (const hook of backendHooks) await hook(choice);
  current = { backend: choice, tfjsVersion: tf.version_core, probes, available };
  return current;
}

/** The active runtime; throws if `initTf` has not run, so nobody silently computes on the wrong backend. */
export function runtime(): RuntimeInfo {
  if (!current) throw new BackendUnavailableError('(none)', [], 'initTf() has not been called');
  return current;
}
