/**
 * The one call that puts our kernels into tfjs's registry: the wasm backend's missing gradient
 * kernels (depthwise and Conv2D backprop, MaxPoolGrad), its faster depthwise forward for the sizes
 * XNNPACK is slow at, and the BatchMatMul wrapper that avoids its slow transpose flags. Entry points
 * (the `nas` command, worker threads, benchmarks, tests) call it once before computing; importing
 * an op module registers nothing. Registration is keyed by backend name, so it may run before or
 * after `initTf`; a repeated call changes only the modes it passes.
 */
import { setKernelMode, type KernelMode } from './loader.ts';
import { setDepthwiseForwardMode, type DepthwiseForwardMode } from './wasm-depthwise.ts';
import { registerWasmGradKernels } from './wasm-grad.ts';
import { registerWasmMatMul } from './wasm-matmul.ts';
import { registerWasmPoolKernels } from './wasm-pool.ts';

export interface KernelOptions {
  /** 'js' forces the plain-JS kernels; 'auto' (default) uses the wasm build when present. NAS_KERNELS=js
   *  in the environment makes the first call default to 'js'. */
  readonly kernels?: KernelMode;
  /** Which depthwise forward calls run our kernel (default 'auto': the measured table). */
  readonly depthwiseForward?: DepthwiseForwardMode;
}

let installed = false;

export function installKernels(options: KernelOptions = {}): void {
  const kernels = options.kernels ?? (!installed && process.env.NAS_KERNELS === 'js' ? 'js' : undefined);
  if (kernels) setKernelMode(kernels);
  if (options.depthwiseForward) setDepthwiseForwardMode(options.depthwiseForward);
  installed = true;
  registerWasmGradKernels();
  registerWasmPoolKernels();
  registerWasmMatMul();
}
