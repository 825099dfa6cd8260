/**
 * The supernet checkpoint shipped with the package (weights + state, no optimizer state): produced by
 * the project's own `nas supernet train` on Fashion-MNIST, so the main job searches with trained
 * accuracy on a fresh clone without an hour of training first. Its training command and figures are
 * in models/README.md; every use re-verifies the recorded accuracy (verify.ts).
 */
import { fileURLToPath } from 'node:url';

export const EMBEDDED_SUPERNET_DIR = fileURLToPath(new URL('../models/fashion-mnist-supernet', import.meta.url));
