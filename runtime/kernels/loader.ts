/**
 * Loader for the AssemblyScript kernels built by `runtime/kernels/build.mjs` into `runtime/kernels/build/`.
 *
 * One compiled module, instantiated once per memory it works on: the tfjs wasm backend's heap on the
 * main thread (tensors are addressed by their `memoryOffset`, nothing is copied) or a shared memory
 * in a worker. When the .wasm file is missing (no build ran), `depthwiseKernels` returns null after
 * a one-line warning and callers use their plain-JS path, so the library still works unbuilt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Signatures exported by runtime/kernels/assembly/depthwise.ts (pointers are byte offsets). */
export interface DepthwiseKernels {
  /** out[m, n] = aᵀ·b for a [rows, m], b [rows, n] (overwrites out). */
  tallAtB(a: number, b: number, out: number, rows: number, m: number, n: number): void;
  dwFilterGrad(
    x: number, dy: number, out: number,
    b0: number, b1: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    c0: number, c1: number, accumulate: number,
  ): void;
  dwInputGrad(
    dy: number, f: number, dx: number,
    b0: number, b1: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /**
   * Depthwise forward, out = clamp(bias + conv(x, f), lo, hi), all of out [n, oh, ow, c] written;
   * bias 0 = none, lo/hi = ∓Infinity = no clamp.
   */
  dwForward(
    x: number, f: number, bias: number, out: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    lo: number, hi: number,
  ): void;
}

export type KernelMode = 'auto' | 'js';

/**
 * The few WebAssembly JS-API pieces used here. tsconfig has no DOM lib and @types/node does not
 * declare them, so they are typed locally and read off globalThis.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const DEPTHWISE_WASM_PATH = fileURLToPath(new URL('./build/depthwise.wasm', import.meta.url));

let wasmPath = DEPTHWISE_WASM_PATH;
let compiled: object | null | undefined;
let mode: KernelMode = 'auto';
let warned = false;
let instances = new WeakMap<WasmMemory, DepthwiseKernels>();

/** 'js' forces the plain-JS kernels (tests compare both paths); 'auto' uses the wasm build when present. */
export function setKernelMode(m: KernelMode): void {
  mode = m;
}

export function kernelMode(): KernelMode {
  return mode;
}

/**
 * Loads the kernels from another file from now on (a build elsewhere, or a missing path to exercise
 * the JS fallback); forgets the module and instances loaded so far.
 */
export function setDepthwiseWasmPath(path: string = DEPTHWISE_WASM_PATH): void {
  wasmPath = path;
  compiled = undefined;
  warned = false;
  instances = new WeakMap();
}

/** The compiled module, or null (with a one-time warning) when it has not been built. */
export function depthwiseModule(): object | null {
  if (compiled !== undefined) return compiled;
  let problem: string | undefined;
  if (!existsSync(wasmPath)) {
    problem = 'not built (run `node runtime/kernels/build.mjs`)';
  } else {
    try {
      compiled = new wasmApi.Module(readFileSync(wasmPath));
      return compiled;
    } catch (e) {
      problem = `unreadable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}; rebuild with \`node runtime/kernels/build.mjs\`)`;
    }
  }
  if (!warned) {
    console.warn(`nas: ${wasmPath} ${problem}; using slower JS gradient kernels`);
    warned = true;
  }
  compiled = null;
  return null;
}

/** Kernels operating on `memory`, or null when forced to JS or not built. */
export function depthwiseKernels(memory: WasmMemory): DepthwiseKernels | null {
  if (mode === 'js') return null;
  const cached = instances.get(memory);
  if (cached) return cached;
  const mod = depthwiseModule();
  if (!mod) return null;
  const inst = new wasmApi.Instance(mod, { env: { memory } });
  const k = inst.exports as unknown as DepthwiseKernels;
  instances.set(memory, k);
  return k;
}
