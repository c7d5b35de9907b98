/**
 * `resolveApprovers` gives the gate the public key of each person who may decide, from the directory, and the keys
 * of the people the caller looks up (who signed the run's start), so signatures are checked against the directory
 * and never against a key the caller brings.
 */
import { generateKeyPair, resolveApprovers } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const digest = `sha256:${'d'.repeat(64)}`;
const maria = generateKeyPair().publicKey;
const sam = generateKeyPair().publicKey;
const ciBot = generateKeyPair().publicKey;
const people = {
  maria: { groups: ['ml-leads'], publicKey: maria },
  sam: { groups: ['ml-leads', 'risk'], publicKey: sam },
  lee: { groups: [] },
  'ci-bot': { groups: [], publicKey: ciBot },
};

describe('resolveApprovers with public keys', () => {
  it("fills each eligible person's public key from the directory, and none for a person without one", () => {
    const result = resolveApprovers({ approvers: ['lee'], approverGroups: ['ml-leads'] }, { people, digest });
    expect(result).toEqual({
      approvers: [
        { name: 'lee', named: true, groups: [] },
        { name: 'maria', named: false, groups: ['ml-leads'], publicKey: maria },
        { name: 'sam', named: false, groups: ['ml-leads'], publicKey: sam },
      ],
      directoryDigest: digest,
      emptyGroups: [],
    });
  });

  it('gives the keys of the looked-up people the directory has, and only theirs', () => {
    const result = resolveApprovers(
      { approvers: ['maria'], approverGroups: [], lookup: ['ci-bot', 'lee', 'nobody', 'constructor', '__proto__'] },
      { people, digest },
    );
    expect(result.keys).toEqual({ 'ci-bot': ciBot });
    expect(Object.keys(result.keys ?? {})).toEqual(['ci-bot']);
    expect(result.approvers).toEqual([{ name: 'maria', named: true, groups: [], publicKey: maria }]);
  });

  it('without a directory, a policy naming people only resolves to them with no keys at all', () => {
    expect(resolveApprovers({ approvers: ['maria'], approverGroups: [], lookup: ['ci-bot'] })).toEqual({
      approvers: [{ name: 'maria', named: true, groups: [] }],
      directoryDigest: null,
      emptyGroups: [],
      keys: {},
    });
    // Without `lookup`, the result is what it always was (replays of old runs compare it).
    expect(resolveApprovers({ approvers: ['maria'], approverGroups: [] })).not.toHaveProperty('keys');
  });
});
