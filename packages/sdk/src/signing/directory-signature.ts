/**
 * The administrator's signature of a directory of people, in one place: the digest it covers, how it is made
 * (`slipway directory sign`) and how every reader checks it (workers, activities, the CLI).
 */
import type { PeopleDirectory } from '../schemas/directory.js';
import { digestOfValue } from './canonical.js';
import { publicKeyOf } from './keys.js';
import { SigningDomain, signPayload, verifyPayload, type DirectorySignature } from './payloads.js';

/** What a directory's digest and signature cover: its version, people and (when it has them) services. */
export type DirectoryContent = Pick<PeopleDirectory, 'version' | 'people'> & Partial<Pick<PeopleDirectory, 'services'>>;

/**
 * The digest of a directory: sha256 of the canonical JSON of `version` and `people` (each person's groups sorted
 * and de-duplicated, their public key included), and its `services` when it has any, never its `signature`. The same people, groups and keys give
 * the same digest whatever the file's format or order.
 */
export function directoryDigest(directory: DirectoryContent): `sha256:${string}` {
  const people = Object.fromEntries(
    Object.entries(directory.people).map(([name, person]) => [name, { ...person, groups: normalized(person.groups) }]),
  );
  // Services are covered when present; a directory without them keeps the digest it always had.
  const services = directory.services === undefined ? {} : { services: normalizedServices(directory.services) };
  return digestOfValue({ version: directory.version, people, ...services });
}

function normalizedServices(services: NonNullable<PeopleDirectory['services']>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => [
      name,
      {
        publicKey: service.publicKey,
        signsFor: { people: normalized(service.signsFor.people), groups: normalized(service.signsFor.groups) },
      },
    ]),
  );
}

/** The administrator's signature of a directory, made with their private key (base64url seed). */
export function signDirectory(directory: DirectoryContent, adminPrivateKey: string): DirectorySignature {
  const payload = { directoryDigest: directoryDigest(directory) };
  return {
    publicKey: publicKeyOf(adminPrivateKey),
    signature: signPayload(SigningDomain.directory, adminPrivateKey, payload),
  };
}

/**
 * Why a directory may not be trusted under an administrator key, or undefined when its signature verifies:
 * no administrator key configured, no signature, signed by another key, or a signature that does not match the
 * directory's content (it was edited after signing, or forged).
 */
export function directorySignatureProblem(
  directory: PeopleDirectory,
  adminPublicKey: string | undefined,
): string | undefined {
  if (!adminPublicKey) {
    return 'no administrator key is configured to check its signature: set `directoryAdminKey` in slipway.config.json (or SLIPWAY_DIRECTORY_ADMIN_KEY) to the public key that signs the directory';
  }
  const signed = directory.signature;
  if (!signed) return 'the directory is not signed: sign it with `slipway directory sign <file> --as <administrator>`';
  if (signed.publicKey !== adminPublicKey) {
    return `the directory is signed by ${signed.publicKey}, not by the configured administrator key ${adminPublicKey}`;
  }
  const payload = { directoryDigest: directoryDigest(directory) };
  if (!verifyPayload(SigningDomain.directory, adminPublicKey, payload, signed.signature)) {
    return 'the directory signature does not verify: the file was changed after it was signed, or the signature is forged';
  }
  return undefined;
}

function normalized(groups: readonly string[]): string[] {
  return [...new Set(groups)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
