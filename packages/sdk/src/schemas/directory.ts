import { z } from 'zod';
import { Digest } from './artifact.js';
import { PublicKey } from '../signing/keys.js';
import { DirectorySignature } from '../signing/payloads.js';

/** A person's or a group's name in the directory: no surrounding spaces, no control characters. */
export const DirectoryName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u,
    'expected a name without surrounding spaces or control characters',
  );

/** A scrypt password hash as the directory keeps it: `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url). */
export const PasswordHash = z
  .string()
  .regex(
    /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/,
    'expected a scrypt hash "scrypt$<N>$<r>$<p>$<salt>$<hash>" (make one with `slipway directory password`)',
  );

/**
 * A service the directory trusts to sign gate decisions for the people it authenticates (the approvals page):
 * its public key, and whom it may sign for — people by name and members of groups. A decision it signs for
 * anyone else is refused by the gate and by the activities.
 */
export const DirectoryService = z.strictObject({
  publicKey: PublicKey,
  signsFor: z.strictObject({
    people: z.array(DirectoryName).default([]),
    groups: z.array(DirectoryName).default([]),
  }),
});
/** A service the directory trusts to sign decisions for people. */
export type DirectoryService = z.infer<typeof DirectoryService>;

/**
 * One person in the directory: their groups and their Ed25519 public key (from `slipway keys create`). A person
 * without a key can neither sign a decision nor start a run.
 */
export const DirectoryPerson = z.strictObject({
  /** The groups the person belongs to, e.g. `["ml-leads"]`. */
  groups: z.array(DirectoryName).default([]),
  /** The person's public key, `ed25519:<base64url>`. */
  publicKey: PublicKey.optional(),
  /**
   * The person's password hash for the approvals page's local sign-in (`slipway directory password`):
   * `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`. Never the password.
   */
  passwordHash: PasswordHash.optional(),
});
/** One person in the directory. */
export type DirectoryPerson = z.infer<typeof DirectoryPerson>;

/**
 * The directory of people and their groups a worker resolves approver groups from (`directory` in
 * `slipway.config.json`, JSON or YAML):
 *
 * ```json
 * { "version": 1, "people": { "maria": { "groups": ["ml-leads"] }, "lee": { "groups": ["risk"] } } }
 * ```
 *
 * Its digest is the sha256 of its canonical content (`version` and `people`, keys sorted, each person's groups
 * sorted and de-duplicated), so the same directory written as JSON or YAML, or with its groups reordered, has the
 * same digest. An administrator's signature (a later issue) will sign exactly that content.
 */
export const PeopleDirectory = z.strictObject({
  version: z.literal(1, { error: 'expected version 1 (the only directory format so far)' }),
  /**
   * The administrator's signature of the directory's digest (`slipway directory sign`); workers and the CLI
   * configured with the administrator's public key refuse a directory whose signature does not verify.
   */
  signature: DirectorySignature.optional(),
  people: z.record(z.string(), DirectoryPerson).superRefine((people, ctx) => {
    for (const name of Object.keys(people)) {
      const checked = DirectoryName.safeParse(name);
      if (checked.success) continue;
      const reason = checked.error.issues[0]?.message ?? 'not a valid name';
      ctx.addIssue({ code: 'custom', path: [name], message: `the name ${JSON.stringify(name)}: ${reason}` });
    }
  }),
  /** Services trusted to sign decisions for the people they authenticate (covered by the digest when present). */
  services: z.record(DirectoryName, DirectoryService).optional(),
});
/** The directory of people and their groups. */
export type PeopleDirectory = z.infer<typeof PeopleDirectory>;

/** Why a person may decide at a gate: named by the policy, a member of some of its groups, or both. */
export const ResolvedApprover = z.object({
  name: z.string().min(1),
  /** The policy lists this person by name. */
  named: z.boolean(),
  /** The policy's groups this person belongs to, according to the directory. */
  groups: z.array(z.string()),
  /** The person's public key from the directory, which their signed decisions must verify against. */
  publicKey: PublicKey.optional(),
  /** Set when the person may decide only since the gate escalated (a member of an `escalateTo` group). */
  escalated: z.boolean().optional(),
  /** The services the directory trusts to sign for this person (`services[*].signsFor`), with their keys. */
  delegates: z.array(z.object({ service: z.string().min(1), publicKey: PublicKey })).optional(),
});
/** A person who may decide at a gate, with how they qualify. */
export type ResolvedApprover = z.infer<typeof ResolvedApprover>;

/**
 * Who may decide at a gate, resolved from the policy (and the directory, when the policy names groups). Only
 * this travels through workflow history, never the directory itself.
 */
export const ApproverResolution = z.object({
  /** Everyone who may decide: the named approvers in the policy's order, then group members by name. */
  approvers: z.array(ResolvedApprover),
  /** sha256 of the directory's canonical content; null when the policy names no group (no directory was read). */
  directoryDigest: Digest.nullable(),
  /** Policy groups that have no member in the directory. */
  emptyGroups: z.array(z.string()),
  /** The public keys of the people the step was asked to look up (`lookup`), for those the directory has. */
  keys: z.record(z.string(), PublicKey).optional(),
});
/** Who may decide at a gate, and from which directory. */
export type ApproverResolution = z.infer<typeof ApproverResolution>;
