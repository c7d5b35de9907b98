/**
 * The approvals page's administration from the built CLI: `slipway directory password` writes a person's scrypt
 * hash (never the password) into the directory and leaves it unsigned until the administrator signs it again,
 * refusing a person the directory does not know and a short password; `slipway keys create --service` makes the
 * page's key and prints the directory's `services` entry and the `ui` setting.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeopleDirectory } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../packages/worker/src/ui/index.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { SLIPWAY_CLI } from '../../support/processes.js';

let work: string;
let people: TestPeople;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-password-cli-'));
  people = await createTestPeople(join(work, 'people'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `slipway <args>` with `input` on its standard input. */
function slipway(args: string[], input = ''): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [SLIPWAY_CLI, '--home', join(work, 'home'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', SLIPWAY_KEYS_DIR: join(work, 'keys') },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('slipway directory password', () => {
  it('writes the hash of the password read from stdin and removes the signature', async () => {
    const file = people.directoryPath;
    const { code, output } = await slipway(
      ['directory', 'password', 'maria', '--file', file, '--password-stdin'],
      'maria-long-password\nignored\n',
    );
    expect(code, output).toBe(0);
    expect(output).toContain(`${file}: set the password hash of maria`);
    expect(output).toContain('is now UNSIGNED (its signature was removed)');
    expect(output).toContain(`slipway directory sign ${file} --as <administrator>`);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('maria-long-password');
    const directory = PeopleDirectory.parse(JSON.parse(text));
    expect(directory.signature).toBeUndefined();
    expect(await verifyPassword('maria-long-password', directory.people.maria?.passwordHash)).toBe(true);
    expect(directory.people.sam?.passwordHash).toBeUndefined();
  });

  it('refuses a person the directory does not know, and a short password', async () => {
    const file = people.directoryPath;
    const unknown = await slipway(
      ['directory', 'password', 'zoe', '--file', file, '--password-stdin'],
      'zoe-long-password\n',
    );
    expect(unknown.code, unknown.output).toBe(1);
    expect(unknown.output).toContain('zoe is not in the directory: add them (with their key) first');
    const short = await slipway(['directory', 'password', 'sam', '--file', file, '--password-stdin'], 'short\n');
    expect(short.code, short.output).toBe(1);
    expect(short.output).toContain('a password must have at least 12 characters');
  });
});

describe('slipway keys create --service', () => {
  it("prints the directory's services entry and the ui setting for the page's key", async () => {
    const { code, output } = await slipway([
      'keys',
      'create',
      '--as',
      'approvals-page',
      '--service',
      '--signs-for-group',
      'ml-leads',
      'risk',
    ]);
    expect(code, output).toBe(0);
    const publicKey = /public key: (\S+)/.exec(output)?.[1];
    expect(publicKey).toMatch(/^ed25519:/);
    expect(output).toContain(
      `"services": {"approvals-page":{"publicKey":"${publicKey}","signsFor":{"people":[],"groups":["ml-leads","risk"]}}}`,
    );
    expect(output).toContain(
      `"ui": {"service":{"name":"approvals-page","keyFile":"${join(work, 'keys', 'approvals-page.key')}"}}`,
    );
  });
});
