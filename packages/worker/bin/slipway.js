#!/usr/bin/env node
// The `slipway` command: runs the compiled CLI (build it first with `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('error: the slipway CLI is not built yet; run `npm run build` first');
  process.exit(1);
}
await import(main.href);
