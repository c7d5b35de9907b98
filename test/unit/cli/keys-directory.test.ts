/**
 * `slipway keys` and `slipway directory` as people run them: the built CLI creates a private key file (0600, in a
 * 0700 directory) and never overwrites one, refuses a name that could not be a file name and a key file others may
 * read; an administrator adds keys to the directory (which leaves it unsigned) and signs it in place, JSON staying
 * JSON and YAML keeping its comments; `directory verify` exits 0 only when the signature verifies, 1 naming the file
 * and the reason.
 */
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPeopleDirectory } from '@slipway/activities';
import { PersonKeyFile } from '@slipway/sdk/keys';
import { directorySignatureProblem } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

let work: string;
let keysDir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-keys-cli-'));
  keysDir = join(work, 'config', 'slipway', 'keys');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `slipway <args>` with the keys directory under `work` (as XDG_CONFIG_HOME would put it) and no admin key. */
const slipway = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['--home', join(work, 'home'), ...args], {
    XDG_CONFIG_HOME: join(work, 'config'),
    SLIPWAY_KEYS_DIR: '',
    SLIPWAY_DIRECTORY_ADMIN_KEY: '',
    ...env,
  });

async function publicKeyOf(name: string): Promise<string> {
  const { code, output } = await slipway(['keys', 'show', '--as', name]);
  expect(code, output).toBe(0);
  return output.trim();
}

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('slipway keys', () => {
  it('create writes a private key file in a private directory and prints the public key and the next steps', async () => {
    const { code, output } = await slipway(['keys', 'create', '--as', 'maria']);
    expect(code, output).toBe(0);
    const path = join(keysDir, 'maria.key');
    const key = PersonKeyFile.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(key.name).toBe('maria');
    expect(await mode(path)).toBe('600');
    expect(await mode(keysDir)).toBe('700');
    expect(output).toContain(`created the signing key of maria: ${path} (mode 0600`);
    expect(output).toContain(`public key: ${key.publicKey}`);
    expect(output).toContain(`slipway directory set-key <directory file> --person maria --public-key ${key.publicKey}`);
    expect(output).not.toContain(key.privateKey);
    expect(await publicKeyOf('maria')).toBe(key.publicKey);
  });

  it('create refuses to overwrite an existing key, naming the file, and leaves it as it was', async () => {
    const path = join(keysDir, 'maria.key');
    const before = await readFile(path, 'utf8');
    const { code, output } = await slipway(['keys', 'create', '--as', 'maria']);
    expect(code, output).toBe(1);
    expect(output).toContain(`a key file for maria already exists at ${path}; a key is never overwritten`);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await readdir(keysDir)).sort()).toEqual(['maria.key']);
  });

  it('create refuses a name that could not be a file name, writing nothing', async () => {
    for (const name of ['../escape', 'a/b', '..', ' maria']) {
      const { code, output } = await slipway(['keys', 'create', '--as', name]);
      expect(code, name).toBe(1);
      expect(output, name).toContain(`${JSON.stringify(name)} is not a person's name that a key file can carry`);
    }
    expect(await readdir(keysDir)).toEqual(['maria.key']);
    expect(await readdir(join(work, 'config', 'slipway'))).toEqual(['keys']);
  });

  it('--keys-dir chooses the directory; show refuses a key file others may read', async () => {
    const own = join(work, 'own-keys');
    expect((await slipway(['keys', 'create', '--as', 'lee', '--keys-dir', own])).code).toBe(0);
    const path = join(own, 'lee.key');
    expect(await mode(path)).toBe('600');
    await chmod(path, 0o644);
    const shown = await slipway(['keys', 'show', '--as', 'lee', '--keys-dir', own]);
    expect(shown.code, shown.output).toBe(1);
    expect(shown.output).toContain(`The key file of lee ${path} may be read or written by its group (mode 644)`);
    expect(shown.output).not.toMatch(/ed25519:/);
    const missing = await slipway(['keys', 'show', '--as', 'sam']);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('create it with `slipway keys create --as sam`');
  });
});

describe('slipway directory', () => {
  let admin: string;
  let maria: string;
  beforeAll(async () => {
    expect((await slipway(['keys', 'create', '--as', 'admin'])).code).toBe(0);
    admin = await publicKeyOf('admin');
    maria = await publicKeyOf('maria');
  });

  const verify = (file: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) =>
    slipway(['directory', 'verify', file, ...args], env);

  it('set-key adds a key (the file is unsigned), sign signs JSON in place, verify exits 0 under the admin key', async () => {
    const file = join(work, 'people.json');
    await writeFile(file, JSON.stringify({ version: 1, people: { maria: { groups: ['ml-leads'] } } }));
    const set = await slipway(['directory', 'set-key', file, '--person', 'maria', '--public-key', maria]);
    expect(set.code, set.output).toBe(0);
    expect(set.output).toContain(`${file}: set the public key of maria`);
    expect(set.output).toContain(`${file} is now UNSIGNED`);
    const unsigned = await verify(file, {}, ['--admin-key', admin]);
    expect(unsigned.code, unsigned.output).toBe(1);
    expect(unsigned.output).toContain(`${file}: the directory is not signed`);

    const signed = await slipway(['directory', 'sign', file, '--as', 'admin']);
    expect(signed.code, signed.output).toBe(0);
    const loaded = await loadPeopleDirectory(file);
    expect(signed.output).toContain(`${file} signed by ${admin}`);
    expect(signed.output).toContain(`digest ${loaded.digest}`);
    expect(directorySignatureProblem(loaded.directory, admin)).toBeUndefined();
    expect(loaded.directory.people['maria']).toEqual({ groups: ['ml-leads'], publicKey: maria });
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);

    const ok = await verify(file, {}, ['--admin-key', admin]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain(`${file} is signed by the administrator key ${admin}`);
    expect((await verify(file, { SLIPWAY_DIRECTORY_ADMIN_KEY: admin })).code).toBe(0);
  });

  it('verify exits 1 naming the file and the reason: no admin key, another key, edited after signing, invalid', async () => {
    const file = join(work, 'people.json');
    const none = await verify(file);
    expect(none.code, none.output).toBe(1);
    expect(none.output).toContain(`${file}: no administrator key is configured`);
    const other = await verify(file, {}, ['--admin-key', maria]);
    expect(other.code).toBe(1);
    expect(other.output).toContain(
      `${file}: the directory is signed by ${admin}, not by the configured administrator key ${maria}`,
    );
    const malformed = await verify(file, {}, ['--admin-key', 'ed25519:nope']);
    expect(malformed.code).toBe(1);
    expect(malformed.output).toContain('--admin-key "ed25519:nope": expected an Ed25519 public key');

    const edited = join(work, 'edited.json');
    await writeFile(edited, (await readFile(file, 'utf8')).replace('"ml-leads"', '"risk"'));
    const changed = await verify(edited, { SLIPWAY_DIRECTORY_ADMIN_KEY: admin });
    expect(changed.code, changed.output).toBe(1);
    expect(changed.output).toContain(
      `${edited}: the directory signature does not verify: the file was changed after it was signed`,
    );
    await writeFile(edited, '{"version": 1, "people": {"maria": {"groups": "ml-leads"}}}');
    const invalid = await verify(edited, { SLIPWAY_DIRECTORY_ADMIN_KEY: admin });
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain(`${edited}: not a valid directory of people: people.maria.groups:`);
  });

  it('sign keeps YAML as YAML with its comments, with --key naming the key file; set-key removes the signature', async () => {
    const file = join(work, 'people.yaml');
    await writeFile(
      file,
      '# who may approve what\nversion: 1\npeople:\n  maria:\n    groups: [ml-leads] # leads\n  sam: {}\n',
    );
    await chmod(file, 0o640);
    const signed = await slipway(['directory', 'sign', file, '--key', join(keysDir, 'admin.key')]);
    expect(signed.code, signed.output).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(
      /^# who may approve what\nversion: 1\npeople:\n {2}maria:\n {4}groups: \[ml-leads\] # leads\n/,
    );
    expect(text).toContain(`signature:\n  publicKey: ${admin}\n  signature: `);
    expect(await mode(file)).toBe('640');
    expect((await verify(file, { SLIPWAY_DIRECTORY_ADMIN_KEY: admin })).code).toBe(0);

    const set = await slipway(['directory', 'set-key', file, '--person', 'sam', '--public-key', maria]);
    expect(set.code, set.output).toBe(0);
    expect(set.output).toContain(`${file} is now UNSIGNED (its signature was removed)`);
    const after = await readFile(file, 'utf8');
    expect(after).toContain('# who may approve what');
    expect(after).not.toContain('signature');
    expect((await loadPeopleDirectory(file)).directory.people['sam']).toEqual({ groups: [], publicKey: maria });
    const added = await slipway(['directory', 'set-key', file, '--person', 'lee', '--public-key', admin]);
    expect(added.output).toContain(`${file}: added lee (in no group) with their public key`);
    expect((await loadPeopleDirectory(file)).directory.people['lee']).toEqual({ groups: [], publicKey: admin });
    expect((await verify(file, { SLIPWAY_DIRECTORY_ADMIN_KEY: admin })).output).toContain(
      'the directory is not signed',
    );
  });

  it('sign refuses an invalid directory with the loader’s error, a bad key choice or key file, changing nothing', async () => {
    const file = join(work, 'broken.yaml');
    const broken = 'version: 1\npeople:\n  maria: {groups: [ml-leads]}\n  maria: {groups: []}\n';
    await writeFile(file, broken);
    const dup = await slipway(['directory', 'sign', file, '--as', 'admin']);
    expect(dup.code).toBe(1);
    expect(dup.output).toContain(`${file}: not valid YAML: Map keys must be unique at line 4`);
    const both = await slipway(['directory', 'sign', file, '--as', 'admin', '--key', join(keysDir, 'admin.key')]);
    expect(both.code).toBe(1);
    expect(both.output).toContain("name the administrator's key with --as <name> or --key <file> (one of them)");
    const exposed = join(work, 'exposed.key');
    await writeFile(exposed, await readFile(join(keysDir, 'admin.key')), { mode: 0o644 });
    const loose = await slipway(['directory', 'sign', join(work, 'people.json'), '--key', exposed]);
    expect(loose.code).toBe(1);
    expect(loose.output).toContain(`The key file ${exposed} may be read or written by its group (mode 644)`);
    expect(await readFile(file, 'utf8')).toBe(broken);
    const badKey = await slipway(['directory', 'set-key', file, '--person', 'sam', '--public-key', 'sam-key']);
    expect(badKey.code).toBe(1);
    expect(badKey.output).toContain('--public-key "sam-key": expected an Ed25519 public key');
    expect((await readdir(work)).filter((name) => name.includes('.tmp'))).toEqual([]);
  });
});

describe('slipway directory init (one machine)', () => {
  it('makes the missing keys, reuses existing ones, and writes a directory signed by the administrator', async () => {
    const maria = await publicKeyOf('maria'); // made by an earlier test: reused, never replaced
    const file = join(work, 'init-people.json');
    const { code, output } = await slipway([
      'directory',
      'init',
      file,
      '--admin',
      'init-admin',
      '--person',
      'maria:ml-leads,risk',
      'newcomer',
    ]);
    expect(code, output).toBe(0);
    const admin = await publicKeyOf('init-admin');
    expect(output).toContain(`"directoryAdminKey": "${admin}"`);
    const { directory } = await loadPeopleDirectory(file);
    expect(directory.people).toEqual({
      maria: { groups: ['ml-leads', 'risk'], publicKey: maria },
      newcomer: { groups: [], publicKey: await publicKeyOf('newcomer') },
    });
    expect(directorySignatureProblem(directory, admin)).toBeUndefined();
    expect(await mode(join(keysDir, 'newcomer.key'))).toBe('600');
  });

  it('refuses an existing file and a bad name, writing nothing', async () => {
    const file = join(work, 'init-people.json');
    const before = await readFile(file, 'utf8');
    const again = await slipway(['directory', 'init', file, '--admin', 'init-admin', '--person', 'eve']);
    expect(again.code, again.output).toBe(1);
    expect(again.output).toContain(`${file} exists: change a directory with`);
    expect(await readFile(file, 'utf8')).toBe(before);
    const other = join(work, 'bad-people.json');
    const bad = await slipway(['directory', 'init', other, '--admin', 'init-admin', '--person', ' spaced']);
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toContain('--person  spaced: " spaced" is not a name');
    await expect(readFile(other, 'utf8')).rejects.toThrow();
  });
});
