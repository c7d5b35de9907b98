/** The shape of a bearer token in the configuration (the model server's control plane, a worker's `/metrics`). */
import { z } from 'zod';

/** The fewest characters a configured token may have. */
export const MIN_TOKEN_LENGTH = 16;

/** A bearer token: at least {@link MIN_TOKEN_LENGTH} characters, no whitespace or control characters. */
export const TokenSetting = z
  .string()
  .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters`)
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace');
