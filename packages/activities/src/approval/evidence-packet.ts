/**
 * The evidence packet an approver is shown, built in one place: the evidence step builds it from the registry, and
 * the activities that act on an approval recompute its digest (and compare its candidate with the registry) the
 * same way.
 */
import { compareTaskMetrics, type EvidencePacket, type RetrainEvidence } from '@slipway/sdk';
import type { ModelVersionRecord } from '../ports.js';
import { canonicalJson, digestOfJson } from '../util/digest.js';

/** An evidence packet without its digest: what the digest covers. */
export type EvidenceContent = Omit<EvidencePacket, 'digest'>;

/** The part of the evidence that describes the candidate: everything but the champion and the digest. */
export type CandidateEvidence = Omit<EvidenceContent, 'champion'>;

/** The candidate's part of the evidence, from its registry record. */
export function candidateEvidence(record: ModelVersionRecord): CandidateEvidence {
  return {
    model: record.name,
    candidate: { version: record.version, metrics: record.metrics },
    datasetUri: record.lineage.datasetUri,
    datasetDigest: record.lineage.datasetDigest,
    validationReportDigest: record.lineage.validationReport.digest,
    codeVersion: record.lineage.codeVersion,
  };
}

/** The digest of an evidence packet: sha256 of the canonical JSON of every field but `digest`. */
export function evidenceDigest(packet: EvidenceContent | EvidencePacket): `sha256:${string}` {
  const { digest: _digest, ...content } = packet as EvidencePacket;
  return digestOfJson(content);
}

/**
 * The evidence packet of a candidate and the champion it would replace (null when there is none), with its digest:
 * the candidate's task, and the task's metrics compared (candidate, champion, change, better or worse); for a retrain
 * started by the model guardian, the drift that triggered it (its report's digest covered by the packet's).
 */
export function buildEvidencePacket(
  candidate: ModelVersionRecord,
  champion: ModelVersionRecord | null,
  retrain?: RetrainEvidence,
): EvidencePacket {
  const task = candidate.lineage.task ?? 'binary';
  const packet: EvidenceContent = {
    ...candidateEvidence(candidate),
    champion: champion ? { version: champion.version, metrics: champion.metrics } : null,
    task,
    comparison: compareTaskMetrics(task, candidate.metrics, champion?.metrics ?? null),
    ...(retrain === undefined ? {} : { retrain }),
  };
  return { ...packet, digest: evidenceDigest(packet) };
}

/**
 * The first field where a packet's candidate part differs from the registry's record of the candidate (e.g.
 * `candidate.metrics`, `datasetDigest`), or undefined when it matches.
 */
export function candidateEvidenceMismatch(packet: EvidencePacket, record: ModelVersionRecord): string | undefined {
  const expected = candidateEvidence(record);
  const fields = Object.keys(expected) as (keyof CandidateEvidence)[];
  return fields.find((field) => canonicalJson(packet[field]) !== canonicalJson(expected[field]));
}
