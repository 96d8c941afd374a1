/**
 * Signed checkpoints of the audit trail. The hash chain shows an edited, inserted, moved or deleted record
 * anywhere except at the end: removing the last records leaves a shorter, valid chain. A checkpoint is a
 * statement "record #seq of the trail has hash H", signed with the structure's signature certificate and
 * linked to the previous checkpoint, so a trail shorter than its last checkpoint — or rewritten under it —
 * is detected. Records written after the last checkpoint are covered by the next one only. Pure: hashing only;
 * signing and signature checks are done by the adapter (src/adapters/audit/checkpoints.ts).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, type ChainBreak } from './chain.js';

export interface Checkpoint {
  readonly seq: number;
  readonly recordHash: string;
  readonly at: string;
  /** Link to the previous checkpoint (checkpointLink of it), GENESIS_HASH for the first. */
  readonly prevCheckpoint: string;
  /** SHA-256 fingerprint of the signing certificate (colon-separated upper-case hex). */
  readonly certFingerprint: string;
  readonly certPem: string;
  /** `RSA-SHA256`. */
  readonly algorithm: string;
  /** Base64 signature of checkpointPayload(). */
  readonly signature: string;
}

/** The exact bytes that are signed. */
export const checkpointPayload = (c: Pick<Checkpoint, 'seq' | 'recordHash' | 'at' | 'prevCheckpoint' | 'certFingerprint'>): string =>
  canonicalJson({ kind: 'dmp-gateway.audit.checkpoint.v1', seq: c.seq, recordHash: c.recordHash, at: c.at, prevCheckpoint: c.prevCheckpoint, certFingerprint: c.certFingerprint });

/** What the next checkpoint points to: a hash over this one's payload and signature. */
export const checkpointLink = (c: Checkpoint): string => createHash('sha256').update(`${checkpointPayload(c)}\n${c.signature}`).digest('hex');

export type TrailFindingReason = ChainBreak['reason'] | 'truncated' | 'checkpoint_mismatch' | 'checkpoint_signature' | 'checkpoint_chain';

export interface TrailFinding {
  /** The first bad record (for a truncation, the first missing seq). */
  readonly seq: number;
  readonly id?: string;
  readonly reason: TrailFindingReason;
  readonly message: string;
}

export interface TrailInput {
  /** Result of walking the whole chain (ChainVerifier). */
  readonly chainBreak: ChainBreak | undefined;
  /** Last seq verified in order (the whole trail when chainBreak is undefined). */
  readonly lastSeq: number;
  /** Hash stored for a seq that a checkpoint names (undefined when no such record). */
  readonly hashAt: (seq: number) => string | undefined;
  /** Checkpoints in seq order. */
  readonly checkpoints: readonly Checkpoint[];
  /** Checks a checkpoint's signature (adapter: public key of the trusted signature certificate). */
  readonly signatureOk: (c: Checkpoint) => boolean;
}

/** The first problem in the trail, records and checkpoints together, or undefined when it holds. */
export const firstTrailFinding = (t: TrailInput): TrailFinding | undefined => {
  const findings: TrailFinding[] = [];
  if (t.chainBreak) {
    findings.push(t.chainBreak);
  }
  let link = GENESIS_HASH;
  let coveredFrom = 1;
  for (const c of t.checkpoints) {
    if (!t.signatureOk(c)) {
      findings.push({ seq: c.seq, reason: 'checkpoint_signature', message: `the checkpoint at record #${c.seq} has no valid signature of the structure's signature certificate` });
      break;
    }
    if (c.prevCheckpoint !== link) {
      findings.push({ seq: c.seq, reason: 'checkpoint_chain', message: `the checkpoint at record #${c.seq} does not follow the previous checkpoint: a checkpoint was removed or altered` });
      break;
    }
    link = checkpointLink(c);
    const stored = t.hashAt(c.seq);
    if (stored === undefined && !t.chainBreak && c.seq > t.lastSeq) {
      findings.push({ seq: t.lastSeq + 1, reason: 'truncated', message: `records #${t.lastSeq + 1} to #${c.seq} are missing: a signed checkpoint of ${c.at} covers the trail up to #${c.seq}, which now ends at #${t.lastSeq}` });
      break;
    }
    if (stored !== undefined && stored !== c.recordHash) {
      findings.push({ seq: c.seq, reason: 'checkpoint_mismatch', message: `records #${coveredFrom} to #${c.seq} were rewritten: record #${c.seq} differs from its signed checkpoint of ${c.at}` });
      break;
    }
    coveredFrom = c.seq + 1;
  }
  findings.sort((a, b) => a.seq - b.seq);
  return findings[0];
};
