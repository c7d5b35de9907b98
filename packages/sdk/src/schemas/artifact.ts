import { z } from 'zod';

/** A content digest, `sha256:` followed by 64 lowercase hex digits. */
export const Digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" followed by 64 lowercase hex digits');
/** A content digest, `sha256:` followed by 64 lowercase hex digits. */
export type Digest = z.infer<typeof Digest>;

/**
 * A reference to an immutable artifact in an artifact store: where it is, what its bytes hash to and how
 * big it is. Only references like this travel through workflow history, never the bytes.
 */
export const ArtifactRef = z.object({
  uri: z.string().min(1),
  digest: Digest,
  size: z.number().int().nonnegative(),
  mediaType: z.string().optional(),
});
/** A reference to an immutable artifact: location, sha256 digest and size. */
export type ArtifactRef = z.infer<typeof ArtifactRef>;
