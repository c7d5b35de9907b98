/**
 * Which services the directory of people trusts to sign gate decisions for a person (the approvals page signs for
 * the people it authenticates): a service signs for a person it names in `signsFor.people`, or for a member of
 * one of its `signsFor.groups`. Pure, so the gate's approver resolution, the acting activities and the audit check
 * all ask the same question the same way.
 */
import type { DirectoryService, ResolvedApprover } from './schemas/directory.js';

/** The services of a directory as the trust rule reads them. */
export type DirectoryServicesView = Record<string, Pick<DirectoryService, 'publicKey' | 'signsFor'>>;

/** Whether `service` may sign decisions for a person named `person` whose directory groups are `groups`. */
export function serviceSignsFor(
  service: Pick<DirectoryService, 'signsFor'>,
  person: string,
  groups: readonly string[],
): boolean {
  return service.signsFor.people.includes(person) || service.signsFor.groups.some((g) => groups.includes(g));
}

/**
 * The services the directory trusts to sign for `person` (with groups `groups`), with their public keys, sorted by
 * name; empty when there are none (or no services at all).
 */
export function delegatesOf(
  services: DirectoryServicesView | undefined,
  person: string,
  groups: readonly string[],
): NonNullable<ResolvedApprover['delegates']> {
  if (services === undefined) return [];
  return Object.keys(services)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((name) => {
      const service = services[name];
      return service && serviceSignsFor(service, person, groups)
        ? [{ service: name, publicKey: service.publicKey }]
        : [];
    });
}

/**
 * The public key of `service` when the directory trusts it to sign for `person`, or why not: the directory lists
 * no such service, or the service may not sign for that person. `groups` are the person's groups in the directory
 * (empty for a person the directory does not list).
 */
export function trustedServiceKey(
  services: DirectoryServicesView | undefined,
  service: string,
  person: string,
  groups: readonly string[],
): { publicKey: string } | { problem: string } {
  const entry = services !== undefined && Object.hasOwn(services, service) ? services[service] : undefined;
  if (entry === undefined) {
    return { problem: `the directory of people lists no service ${JSON.stringify(service)}` };
  }
  if (!serviceSignsFor(entry, person, groups)) {
    return { problem: untrustedServiceMessage(service, person) };
  }
  return { publicKey: entry.publicKey };
}

/** Why a service's signature for a person is refused when the directory does not let it sign for them. */
export function untrustedServiceMessage(service: string, person: string): string {
  return `the directory of people does not trust the service ${service} to sign for ${person} (neither named in its signsFor.people nor a member of one of its signsFor.groups)`;
}
