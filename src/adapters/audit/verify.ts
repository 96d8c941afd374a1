/**
 * Verifies the whole audit trail: walks every record in seq order through the hash chain (page by page),
 * then checks the signed checkpoints against it. Names the first bad record.
 */
import { ChainVerifier } from '../../core/audit/chain.js';
import { firstTrailFinding, type TrailFinding } from '../../core/audit/checkpoint.js';
import { rowToAudit } from '../storage/audit-store.js';
import type { Executor } from '../storage/db.js';
import { checkpointVerifier, readCheckpoints, type CheckpointSigner } from './checkpoints.js';

export interface AuditVerification {
  readonly ok: boolean;
  readonly records: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly checkpoints: number;
  readonly lastCheckpoint?: { readonly seq: number; readonly at: string; readonly certFingerprint: string };
  /** The first bad record and why. */
  readonly firstBad?: TrailFinding;
  readonly warnings: readonly string[];
  readonly verifiedAt: string;
}

const PAGE = 1000;

export async function verifyAuditTrail(db: Executor, trusted: CheckpointSigner | undefined, now: Date): Promise<AuditVerification> {
  const checkpoints = await readCheckpoints(db);
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashes = new Map<number, string>();
  const chain = new ChainVerifier();
  let after = 0;
  let total = 0;
  for (;;) {
    const rows = await db.query(`SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`, [after]);
    for (const row of rows) {
      const r = rowToAudit(row);
      total += 1;
      chain.push(r);
      if (wanted.has(r.seq)) {
        hashes.set(r.seq, r.hash);
      }
      after = r.seq;
    }
    if (rows.length < PAGE) {
      break;
    }
  }
  const warnings: string[] = [];
  if (!trusted) {
    warnings.push('no signature certificate configured: checkpoint signatures cannot be checked');
  }
  if (checkpoints.length === 0) {
    warnings.push('no signed checkpoint yet: deleting the last records would not be detected');
  }
  const finding = firstTrailFinding({
    chainBreak: chain.result,
    lastSeq: chain.seq,
    hashAt: (s) => hashes.get(s),
    checkpoints,
    // Without the certificate, checkpoints still show a truncation; their signatures are not checked (warned above).
    signatureOk: trusted ? checkpointVerifier(trusted) : () => true,
  });
  const last = checkpoints[checkpoints.length - 1];
  if (last && last.seq < chain.seq && !finding) {
    warnings.push(`records after #${last.seq} are not yet covered by a signed checkpoint`);
  }
  return {
    ok: finding === undefined,
    records: total,
    lastSeq: after,
    lastHash: chain.lastHash,
    checkpoints: checkpoints.length,
    ...(last ? { lastCheckpoint: { seq: last.seq, at: last.at, certFingerprint: last.certFingerprint } } : {}),
    ...(finding ? { firstBad: finding } : {}),
    warnings,
    verifiedAt: now.toISOString(),
  };
}
