import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAINER_PACKAGE, ensurePythonTools } from '../../support/python.js';

/** The virtualenv may be created first (pip install of the pinned requirements): a bound on that, not a timing. */
const TIMEOUT_MS = 900_000;

/** Runs pytest on the trainer package's tests; resolves to its exit code and combined output. */
function pytest(python: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const args = ['-m', 'pytest', resolve(TRAINER_PACKAGE, 'tests'), '-q', '-p', 'no:cacheprovider'];
    const child = spawn(python, args, {
      cwd: TRAINER_PACKAGE,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

describe('slipway-trainer (the Python package)', () => {
  it(
    'passes its pytest suite in the project virtualenv',
    async () => {
      const python = await ensurePythonTools();
      const { code, output } = await pytest(python);
      if (code !== 0) expect.fail(`pytest exited with code ${String(code)}:\n${output}`);
      expect(output).toMatch(/\b\d+ passed\b/);
      expect(output).not.toMatch(/\b(failed|error|errors|skipped)\b/);
    },
    TIMEOUT_MS,
  );
});
