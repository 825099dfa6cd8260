/**
 * Trainable ops for the supernet and predictors. They train on wasm as on cpu and tfjs-node once the
 * entry point has called `installKernels()` (runtime/kernels/install.ts), which registers the wasm
 * backend's missing gradient kernels; importing this module registers nothing.
 */

export { conv2d, depthwiseConv2d, pointwiseConv2d, type ConvOptions, type Padding } from './conv.ts';
export { dense } from './dense.ts';
export { batchNormTrain, batchNormInfer, updateMoving, BN_EPSILON, type BatchNormParams, type BatchNormTrainResult } from './norm.ts';
export { maxPool, avgPool, globalAvgPool } from './pool.ts';
export { relu, relu6, hardSwish, activate, ACTIVATIONS, type Activation } from './activations.ts';
export { wasmGradKernelsNative } from '../kernels/wasm-grad.ts';
export { installKernels, type KernelOptions } from '../kernels/install.ts';
