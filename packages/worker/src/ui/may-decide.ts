/**
 * Whether the person signed in may decide at a gate, by the gate's own rules (`checkDecision`: eligible, not the
 * run's starter, not decided already, gate open) and the directory's trust in the page's service to sign for them.
 * The page shows buttons only when this says yes, and checks it again on every POST; the gate checks it once more.
 */
import { checkDecision, type ApprovalPolicy, type GateState, type PeopleDirectory } from '@slipway/sdk';

/** Whether a person may decide, and why not. */
export type DecideAbility = { may: true } | { may: false; reason: string };

/** Whether `person` may decide at `gate` through the page's `service`. */
export function mayDecide(
  gate: GateState,
  person: string,
  directory: PeopleDirectory,
  service: string | undefined,
): DecideAbility {
  const policy = {
    approvers: gate.approvers,
    approverGroups: gate.approverGroups,
    quorum: gate.quorum,
    // The gate publishes whether its policy lets the starter decide (gates opened before it did: they may not).
    allowSelfApproval: gate.allowSelfApproval === true,
  } as ApprovalPolicy;
  const check = checkDecision(gate, policy, {
    decision: 'approve',
    approver: person,
    evidenceDigest: gate.evidence.digest,
  });
  if (!check.ok) return { may: false, reason: check.refusal.message };
  if (service === undefined) {
    return { may: false, reason: 'this page has no service key (ui.service in slipway.config.json): it cannot sign' };
  }
  const delegates = gate.eligible.find((e) => e.name === person)?.delegates;
  if (delegates !== undefined && !delegates.some((d) => d.service === service)) {
    return {
      may: false,
      reason: `the gate takes no decision the service ${service} signs for ${person} (the directory did not let it sign for them when the gate opened)`,
    };
  }
  if (!serviceSignsFor(directory, service, person)) {
    return {
      may: false,
      reason: `the directory does not let the service ${service} sign for ${person} (services.${service}.signsFor)`,
    };
  }
  return { may: true };
}

/** Whether the directory lets `service` sign for `person` (named, or through one of their groups). */
export function serviceSignsFor(directory: PeopleDirectory, service: string, person: string): boolean {
  const trusted = directory.services?.[service];
  if (trusted === undefined) return false;
  if (trusted.signsFor.people.includes(person)) return true;
  const groups = Object.hasOwn(directory.people, person) ? (directory.people[person]?.groups ?? []) : [];
  return groups.some((group) => trusted.signsFor.groups.includes(group));
}
