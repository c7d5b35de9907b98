/**
 * `resolveApprovers` with the directory's services and the policy's escalation groups: each eligible person carries
 * the services the directory trusts to sign for them (by name or by group), and escalation adds the members of the
 * `escalateTo` groups not otherwise eligible, marked `escalated`, only when asked.
 */
import { generateKeyPair, resolveApprovers, withoutEscalation } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const digest = `sha256:${'d'.repeat(64)}`;
const page = generateKeyPair().publicKey;
const leePage = generateKeyPair().publicKey;
const people = {
  maria: { groups: ['ml-leads'] },
  sam: { groups: ['ml-leads', 'risk'] },
  rita: { groups: ['risk'] },
  lee: { groups: [] },
};
const services = {
  'approvals-page': { publicKey: page, signsFor: { people: [], groups: ['ml-leads'] } },
  'lee-page': { publicKey: leePage, signsFor: { people: ['lee'], groups: [] } },
};
const directory = { people, digest, services };

describe('resolveApprovers with services and escalation', () => {
  it('gives each eligible person the services trusted for them, and none to others', () => {
    const { approvers } = resolveApprovers({ approvers: ['lee'], approverGroups: ['ml-leads'] }, directory);
    expect(approvers).toEqual([
      { name: 'lee', named: true, groups: [], delegates: [{ service: 'lee-page', publicKey: leePage }] },
      {
        name: 'maria',
        named: false,
        groups: ['ml-leads'],
        delegates: [{ service: 'approvals-page', publicKey: page }],
      },
      { name: 'sam', named: false, groups: ['ml-leads'], delegates: [{ service: 'approvals-page', publicKey: page }] },
    ]);
    const riskOnly = resolveApprovers({ approvers: [], approverGroups: ['risk'] }, directory).approvers;
    expect(riskOnly.find((a) => a.name === 'rita')).toEqual({ name: 'rita', named: false, groups: ['risk'] });
  });

  it('adds the escalation groups’ other members, marked escalated, only when asked', () => {
    const policy = { approvers: [], approverGroups: ['ml-leads'], escalateTo: ['risk'] };
    expect(resolveApprovers(policy, directory).approvers.map((a) => [a.name, a.escalated ?? false])).toEqual([
      ['maria', false],
      ['sam', false],
      ['rita', true],
    ]);
    expect(resolveApprovers(withoutEscalation(policy), directory).approvers.map((a) => a.name)).toEqual([
      'maria',
      'sam',
    ]);
  });

  it('needs a directory for escalation groups', () => {
    expect(() => resolveApprovers({ approvers: ['lee'], approverGroups: [], escalateTo: ['risk'] })).toThrow(
      'names approver groups (risk)',
    );
  });
});
