/**
 * Trainable ops for the supernet and predictors. Importing this module registers the wasm backend's
 * missing gradient kernels, so every op here trains on wasm as on cpu and tfjs-node.
 */
import { registerWasmGradKernels } from '../kernels/wasm-grad.ts';
import { registerWasmPoolKernels } from '../kernels/wasm-pool.ts';
import { registerWasmMatMul } from '../kernels/wasm-matmul.ts';

registerWasmGradKernels();
registerWasmPoolKernels();
registerWasmMatMul();

export { conv2d, depthwiseConv2d, pointwiseConv2d, type ConvOptions, type Padding } from './conv.ts';
export { dense } from './dense.ts';
export { batchNormTrain, batchNormInfer, updateMoving, BN_EPSILON, type BatchNormParams, type BatchNormTrainResult } from './norm.ts';
export { maxPool, avgPool, globalAvgPool } from './pool.ts';
export { relu, relu6, hardSwish, activate, ACTIVATIONS, type Activation } from './activations.ts';
export { registerWasmGradKernels, wasmGradKernelsNative } from '../kernels/wasm-grad.ts';
export { registerWasmPoolKernels } from '../kernels/wasm-pool.ts';
export { registerWasmMatMul } from '../kernels/wasm-matmul.ts';
