import { userInfo } from 'node:os';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/** Where the caller's identity comes from, for tests: the operating system's user and the environment. */
export interface IdentitySources {
  osUser?: () => string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Who the caller is, as Slipway records it (`startedBy` of the runs it starts): the configured identity
 * (`identity` in slipway.config.json, `SLIPWAY_IDENTITY`, or the client's `user` option), else the
 * operating-system user. Throws `InvalidInput` when neither is known, instead of starting anonymous runs.
 */
export function callerIdentity(configured?: string, sources: IdentitySources = {}): string {
  const explicit = configured?.trim();
  if (explicit) return explicit;
  const osUser = (sources.osUser ?? currentOsUser)()?.trim() || undefined;
  const env = sources.env ?? process.env;
  const fromEnv = [env.USER, env.LOGNAME, env.USERNAME].map((v) => v?.trim()).find((v) => v);
  const who = osUser ?? fromEnv;
  if (who) return who;
  throw new SlipwayClientError(
    ClientErrorCode.InvalidInput,
    'cannot tell who is starting this run: the operating system names no user; set `identity` in slipway.config.json or SLIPWAY_IDENTITY (or the client option `user`)',
  );
}

/**
 * The run input with `startedBy` set to the caller. An object input that already names someone else is refused
 * (`InvalidInput`, naming both): who started a run is the caller's identity, never what an input file says.
 * Inputs that are not objects are returned as they are.
 */
export function withStartedBy(input: unknown, startedBy: string): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const named = (input as { startedBy?: unknown }).startedBy;
  if (named !== undefined && named !== startedBy) {
    throw new SlipwayClientError(
      ClientErrorCode.InvalidInput,
      `the input says the run is started by ${JSON.stringify(named)}, but the caller is ${JSON.stringify(startedBy)}: remove startedBy from the input (it is set from the caller's identity: \`identity\` in slipway.config.json, SLIPWAY_IDENTITY, or the operating-system user)`,
    );
  }
  return { ...input, startedBy };
}

function currentOsUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
    return undefined;
  }
}
