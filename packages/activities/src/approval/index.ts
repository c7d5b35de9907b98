/**
 * Approvals verified where they act: the evidence packet built and hashed in one place, the signatures of
 * decisions and run starts checked against the directory of people, and `verifyApprovalProof`, which the
 * record-approval and deploy activities run before they write anything.
 */
export {
  buildEvidencePacket,
  candidateEvidence,
  candidateEvidenceMismatch,
  evidenceDigest,
  type CandidateEvidence,
  type EvidenceContent,
} from './evidence-packet.js';
export {
  decisionSignatureProblem,
  directoryKeyOf,
  startSignatureProblem,
  type GateBinding,
  type SignedStartFacts,
} from './signatures.js';
export { tallyDecisions, type DecisionCheckContext, type DecisionTally } from './proof-decisions.js';
export {
  verifyApprovalProof,
  verifyProofWhereItActs,
  type ProofContext,
  type ProofRequirement,
  type VerifiedApproval,
} from './verify-proof.js';
export {
  latestApproval,
  missingApprovalReason,
  readRecordedApproval,
  rolledBackSince,
  type RecordedApproval,
  type RecordedApprovalDeps,
} from './recorded-approval.js';
