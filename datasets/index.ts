/** Public surface of datasets/: loaders, splits, the registry and batch helpers. */
export * from './types.ts';
export * from './registry.ts';
export { carveValidation, defaultValSize, duplicateGroups, proportionalQuota, stratifiedPick, type ValOptions } from './split.ts';
export { encodeIdx, loadIdxPair, parseIdx, readIdx, readIdxDims, type IdxArray, type IdxPairOptions, type IdxPairPaths } from './idx.ts';
export { loadIdxSet, loadMnist, mnistDataDir, MNIST_CLASSES, type IdxSetSource } from './idx-set.ts';
export { CIFAR10_CLASSES, loadCifar10, loadCifarBatches, type Cifar10Source } from './cifar10.ts';
export {
  defaultCacheDir,
  FASHION_MNIST_CLASSES,
  fashionMnistCachePath,
  loadFashionMnist,
  readFashionMnistSource,
  splitFashionMnist,
  type CacheReport,
  type FashionMnistOptions,
} from './fashion-mnist.ts';
