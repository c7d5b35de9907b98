import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

// A reused idempotency key must name the same target as the call that first used it: a different target is
// a caller bug, not a retry, and fails with a final `SlipwayInvalidInput`. Shared by every registry adapter.

function keyReused(key: string, done: string, wanted: string, details: object): Error {
  return finalFailure(
    SlipwayErrorType.InvalidInput,
    `Idempotency key "${key}" was already used to ${done}; it cannot also ${wanted}`,
    { idempotencyKey: key, ...details },
  );
}

/** A version key (register, approval, deployment) must name the same model (and version, when given). */
export function assertKeyTarget(
  action: string,
  key: string,
  existing: { name: string; version: number },
  wanted: { name: string; version: number | null },
): void {
  const sameVersion = wanted.version === null || wanted.version === existing.version;
  if (existing.name === wanted.name && sameVersion) return;
  const target =
    wanted.version === null ? `model "${wanted.name}"` : `model "${wanted.name}" version ${wanted.version}`;
  throw keyReused(key, `${action} model "${existing.name}" version ${existing.version}`, `${action} ${target}`, {
    existing: { name: existing.name, version: existing.version },
    wanted,
  });
}

/** An alias-move key must name the same model, alias and version. */
export function assertSameAliasMove(
  key: string,
  done: { name: string; alias: string; version: number },
  wanted: { name: string; alias: string; version: number },
): void {
  if (done.name === wanted.name && done.alias === wanted.alias && done.version === wanted.version) return;
  const move = (m: typeof done) => `move alias "${m.alias}" of model "${m.name}" to version ${m.version}`;
  throw keyReused(key, move(done), move(wanted), { done, wanted });
}

/** A start-run key must name the same experiment and run name. */
export function assertSameRunStart(
  key: string,
  existing: { experiment: string; name: string },
  wanted: { experiment: string; name: string },
): void {
  if (existing.experiment === wanted.experiment && existing.name === wanted.name) return;
  const start = (r: typeof existing) => `start run "${r.name}" in experiment "${r.experiment}"`;
  throw keyReused(key, start(existing), start(wanted), { existing, wanted });
}

/** A metric-logging key must name the same run. */
export function assertSameRun(key: string, existingRunId: string, wantedRunId: string): void {
  if (existingRunId === wantedRunId) return;
  throw keyReused(key, `log metrics of run ${existingRunId}`, `log metrics of run ${wantedRunId}`, {
    existing: existingRunId,
    wanted: wantedRunId,
  });
}

/** A key id of an audit log already recorded with another public key (the key id is the public key's hash). */
export function keyConflict(key: { logId: string; keyId: string; publicKey: string }, recorded: string): Error {
  return finalFailure(
    SlipwayErrorType.InvalidInput,
    `The registry already records key ${key.keyId} of audit log ${key.logId} with another public key ` +
      `(${recorded.slice(0, 16)}…, not ${key.publicKey.slice(0, 16)}…): the key id names the public key's hash, ` +
      'so one of them was forged',
    { logId: key.logId, keyId: key.keyId },
  );
}
