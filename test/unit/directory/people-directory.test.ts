/**
 * The directory of people a worker resolves approver groups from: JSON and YAML files, with errors that name the
 * file and the line or field, a digest over canonical content, and the activity that resolves a policy from it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDirectorySource, loadPeopleDirectory } from '@slipway/activities';
import { createResolveApproversActivity } from '@slipway/activities/steps';
import { SlipwayErrorType, failureType, generateKeyPair, signDirectory, type PeopleDirectory } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-directory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The administrator whose key signs the directories the activity reads. */
const admin = generateKeyPair();

/** Writes `directory` signed by {@link admin}, as JSON or YAML by the file's extension. */
async function signedFile(name: string, directory: PeopleDirectory): Promise<string> {
  const signed = { ...directory, signature: signDirectory(directory, admin.privateKey) };
  return file(name, name.endsWith('.json') ? JSON.stringify(signed) : toYaml(signed));
}

/** The failure a load ends with: its Slipway type and message. */
async function loadError(path: string): Promise<{ type: string | undefined; message: string }> {
  const err = await loadPeopleDirectory(path).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, `loading ${path} should have failed`).toBeDefined();
  return { type: failureType(err), message: err!.message };
}

const JSON_DIRECTORY = {
  version: 1,
  people: { maria: { groups: ['ml-leads', 'risk'] }, sam: { groups: ['ml-leads'] }, mallory: {} },
};
const YAML_DIRECTORY = `# who is who
version: 1
people:
  sam:
    groups: [ml-leads]
  maria:
    groups:
      - risk
      - ml-leads
      - risk
  mallory: {}
`;

describe('loading the directory of people', () => {
  it('reads JSON and YAML; the same people and groups give the same digest in any order', async () => {
    const json = await loadPeopleDirectory(await file('people.json', JSON.stringify(JSON_DIRECTORY)));
    const yaml = await loadPeopleDirectory(await file('people.yaml', YAML_DIRECTORY));
    expect(json.directory.people['mallory']).toEqual({ groups: [] });
    expect(yaml.directory.people['maria']?.groups).toEqual(['risk', 'ml-leads', 'risk']);
    expect(json.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(yaml.digest).toBe(json.digest);
    const moved = { ...JSON_DIRECTORY, people: { ...JSON_DIRECTORY.people, sam: { groups: ['risk'] } } };
    const changed = await loadPeopleDirectory(await file('moved.json', JSON.stringify(moved)));
    expect(changed.digest).not.toBe(json.digest);
  });

  it('names the file and the line of a JSON syntax error', async () => {
    const path = await file('broken.json', '{\n  "version": 1,\n  "people": { "maria": { "groups": ["a"], } }\n}\n');
    const { type, message } = await loadError(path);
    expect(type).toBe(SlipwayErrorType.InvalidDirectory);
    expect(message).toContain(`${path}: not valid JSON`);
    expect(message).toMatch(/line 3/);
  });

  it('names the file and the line of a YAML syntax error', async () => {
    const path = await file('broken.yml', 'version: 1\npeople:\n  maria:\n    groups: [ml-leads\n');
    const { type, message } = await loadError(path);
    expect(type).toBe(SlipwayErrorType.InvalidDirectory);
    expect(message).toContain(`${path}: not valid YAML`);
    expect(message).toMatch(/line \d+/);
  });

  it('refuses a person listed twice (JSON would keep the last silently), naming the line', async () => {
    const json = await file(
      'twice.json',
      '{"version": 1, "people": {\n "maria": {"groups": []},\n "maria": {"groups": ["ml-leads"]}\n}}',
    );
    expect((await loadError(json)).message).toMatch(/twice\.json: a key appears twice .* at line 3/);
    const yaml = await file('twice.yaml', 'version: 1\npeople:\n  maria: {}\n  maria: {groups: [ml-leads]}\n');
    expect((await loadError(yaml)).message).toMatch(/twice\.yaml: not valid YAML: Map keys must be unique at line 4/);
  });

  it('names the field that breaks the schema', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['no-version.json', { people: {} }, /version: expected version 1/],
      ['version-2.json', { version: 2, people: {} }, /version: expected version 1/],
      ['group-type.json', { version: 1, people: { maria: { groups: [7] } } }, /people\.maria\.groups\.0: /],
      ['unknown-field.json', { version: 1, people: { maria: { groups: [], role: 'admin' } } }, /people\.maria: .*role/],
      ['top-level.json', { version: 1, people: {}, admins: [] }, /\(root\): .*admins/],
      ['spaced-name.json', { version: 1, people: { ' maria': { groups: [] } } }, /people\..*surrounding spaces/],
      ['people-list.json', { version: 1, people: ['maria'] }, /people: /],
    ];
    for (const [name, content, expected] of cases) {
      const path = await file(name, JSON.stringify(content));
      const { type, message } = await loadError(path);
      expect(type, name).toBe(SlipwayErrorType.InvalidDirectory);
      expect(message, name).toContain(`${path}: not a valid directory of people: `);
      expect(message, name).toMatch(expected);
    }
  });

  it('names a file that is missing, or not JSON or YAML by its name', async () => {
    const missing = join(dir, 'missing.json');
    expect(await loadError(missing)).toEqual({
      type: SlipwayErrorType.InvalidDirectory,
      message: expect.stringMatching(new RegExp(`^${missing}: cannot read the directory of people: .*ENOENT`)),
    });
    const txt = await file('people.txt', '{}');
    expect((await loadError(txt)).message).toBe(`${txt}: the directory of people must be a .json, .yaml or .yml file`);
    expect((await loadError(dir)).message).toMatch(/must be a \.json/);
  });
});

describe('the resolveApprovers activity', () => {
  const policy = { approvers: ['lee'], approverGroups: ['ml-leads', 'risk-board'] };
  const maria = generateKeyPair().publicKey;
  const directory: PeopleDirectory = {
    version: 1,
    people: {
      maria: { groups: ['ml-leads', 'risk'], publicKey: maria },
      sam: { groups: ['ml-leads'] },
      mallory: { groups: [] },
    },
  };

  it('resolves the policy from the signed directory: members of its groups with their keys, the digest and empty groups', async () => {
    const path = await signedFile('resolve.json', directory);
    const resolve = createResolveApproversActivity({ directory: fileDirectorySource(path, admin.publicKey) });
    const result = await resolve(policy);
    expect(result).toEqual({
      approvers: [
        { name: 'lee', named: true, groups: [] },
        { name: 'maria', named: false, groups: ['ml-leads'], publicKey: maria },
        { name: 'sam', named: false, groups: ['ml-leads'] },
      ],
      directoryDigest: (await loadPeopleDirectory(path)).digest,
      emptyGroups: ['risk-board'],
    });
    // mallory is in the directory but in no group of the policy; lee is named though absent from the directory.
    expect(result.approvers.map((a) => a.name)).not.toContain('mallory');
  });

  it('fails non-retryably, naming the groups and the setting, when no directory is configured', async () => {
    const err = await createResolveApproversActivity({})(policy).then(
      () => undefined,
      (e: unknown) => e as Error & { nonRetryable?: boolean },
    );
    expect(failureType(err)).toBe(SlipwayErrorType.DirectoryNotConfigured);
    expect(err?.nonRetryable).toBe(true);
    expect(err?.message).toContain('names approver groups (ml-leads, risk-board)');
    expect(err?.message).toContain('set `directory` in slipway.config.json (or SLIPWAY_DIRECTORY)');
  });

  it('fails the same way for a policy that escalates to groups, naming them, when no directory is configured', async () => {
    const escalating = { approvers: ['lee'], approverGroups: [], escalateTo: ['risk'] };
    const err = await createResolveApproversActivity({})(escalating).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.DirectoryNotConfigured);
    expect(err?.message).toContain('names approver groups (risk)');
  });

  it('resolves escalation groups and the services trusted for each person from the signed directory', async () => {
    const page = generateKeyPair().publicKey;
    const withServices: PeopleDirectory = {
      ...directory,
      services: { 'approvals-page': { publicKey: page, signsFor: { people: ['sam'], groups: ['risk'] } } },
    };
    const path = await signedFile('services.json', withServices);
    const resolve = createResolveApproversActivity({ directory: fileDirectorySource(path, admin.publicKey) });
    const delegates = [{ service: 'approvals-page', publicKey: page }];
    expect((await resolve({ approvers: [], approverGroups: ['ml-leads'], escalateTo: ['risk'] })).approvers).toEqual([
      { name: 'maria', named: false, groups: ['ml-leads'], publicKey: maria, delegates },
      { name: 'sam', named: false, groups: ['ml-leads'], delegates },
    ]);
    expect((await resolve({ approvers: ['mallory'], approverGroups: [], escalateTo: ['risk'] })).approvers).toEqual([
      { name: 'mallory', named: true, groups: [] },
      { name: 'maria', named: false, groups: ['risk'], publicKey: maria, delegates, escalated: true },
    ]);
  });

  it('reads the directory for a policy that names people only, for their keys and those looked up', async () => {
    const path = await signedFile('names-only.yaml', directory);
    const resolve = createResolveApproversActivity({ directory: fileDirectorySource(path, admin.publicKey) });
    expect(await resolve({ approvers: ['maria', 'lee'], approverGroups: [], lookup: ['maria', 'sam'] })).toEqual({
      approvers: [
        { name: 'maria', named: true, groups: [], publicKey: maria },
        { name: 'lee', named: true, groups: [] },
      ],
      directoryDigest: (await loadPeopleDirectory(path)).digest,
      emptyGroups: [],
      keys: { maria },
    });
  });

  it('without a directory, resolves a policy that names people only to them, with no keys and no digest', async () => {
    const result = await createResolveApproversActivity({})({
      approvers: ['lee'],
      approverGroups: [],
      lookup: ['lee'],
    });
    expect(result).toEqual({
      approvers: [{ name: 'lee', named: true, groups: [] }],
      directoryDigest: null,
      emptyGroups: [],
      keys: {},
    });
  });

  it('reads the file afresh at each gate, so a signed edit applies to the next one', async () => {
    const path = await signedFile('live.yaml', { version: 1, people: { sam: { groups: ['ml-leads'] } } });
    const resolve = createResolveApproversActivity({ directory: fileDirectorySource(path, admin.publicKey) });
    expect((await resolve(policy)).approvers.map((a) => a.name)).toEqual(['lee', 'sam']);
    await signedFile('live.yaml', { version: 1, people: { sam: { groups: [] }, ana: { groups: ['risk-board'] } } });
    expect((await resolve(policy)).approvers.map((a) => a.name)).toEqual(['lee', 'ana']);
  });
});
