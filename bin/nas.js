#!/usr/bin/env node
// The `nas` command. The sources are TypeScript run in place: tsx's loader is registered first so
// `npx nas` works from a fresh clone with no build step, and worker threads inherit the loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
