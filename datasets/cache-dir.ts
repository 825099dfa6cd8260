/**
 * Where downloaded and derived data files live: `$NAS_CACHE_DIR` if set, else `.cache/datasets`
 * inside the project. One place, so the Fashion-MNIST split cache and downloaded benchmark tables
 * (`nas datasets get`) are found in the same directory and moved together by one variable.
 */
import { fileURLToPath } from 'node:url';

export function defaultCacheDir(): string {
  return process.env.NAS_CACHE_DIR || fileURLToPath(new URL('../.cache/datasets', import.meta.url));
}
