/**
 * Signing and verification that run anywhere, workflow code included: canonical JSON and sha256, Ed25519 keys
 * and signatures (verified in WebAssembly where there is WebAssembly, in JavaScript otherwise), and the payloads Slipway signs (gate decisions, run starts, directories).
 */
export { canonicalJson, digestOfValue, sha256OfText } from './canonical.js';
export { ed25519Engine, type Ed25519Engine } from './ed25519-verify.js';
export { fromBase64Url, toBase64Url, toHex, utf8Bytes } from './encoding.js';
export { PublicKey, Signature, generateKeyPair, publicKeyOf, signBytes, verifyBytes } from './keys.js';
export {
  DecisionPayload,
  DirectoryPayload,
  DirectorySignature,
  IsoTime,
  RolloutCommandPayload,
  ServiceDecisionPayload,
  SignedStart,
  SIGNING_CLOCK_SKEW_MS,
  SigningDomain,
  StartPayload,
  signPayload,
  signingMessage,
  startInputDigest,
  startPayload,
  verifyPayload,
} from './payloads.js';
export { GUARDIAN_PIPELINE, approvalPolicyDigest, signedApprovalOf } from './signed-policy.js';
export {
  SCHEDULED_BY_ATTRIBUTE,
  ScheduledStartPayload,
  SignedScheduledStart,
  StartSchedule,
  isScheduledRunId,
  scheduledStartPayload,
  startSignatureMismatch,
  type StartFacts,
} from './scheduled-start.js';
export { directoryDigest, directorySignatureProblem, signDirectory } from './directory-signature.js';
