/**
 * The committed WebAssembly verifier (`packages/sdk/src/signing/ed25519-wasm-module.ts`) is the build of its
 * AssemblyScript source: the build script, run with `--check`, compiles the source again and compares.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/build-ed25519-wasm.mjs');

describe('the WebAssembly Ed25519 module', () => {
  it('is the build of packages/sdk/wasm/ed25519-verify.ts', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--check']);
    expect(stdout).toContain('the committed module is the source’s build');
  });
});
