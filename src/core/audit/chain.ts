/**
 * The audit trail's tamper evidence: each record carries the SHA-256 of the previous record's hash and its
 * own canonical serialisation, so an edited, deleted, inserted or reordered record breaks the chain at
 * that point (issue 8). Pure: hashing only.
 */
import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** Event types recorded in the trail. */
export const AUDIT_EVENT_TYPES = [
  'report.received',
  'report.rejected',
  'identity.decision',
  'identity.hold.released',
  'identity.hold.rejected',
  'insi.query',
  'document.built',
  'document.quarantined',
  'delivery.attempt',
  'delivery.outcome',
  'delivery.reconciled',
  'transmission.state',
  'transmission.replay',
  'user.read',
  'user.action',
  'auth.denied',
  'config.loaded',
  'certificate.loaded',
  'audit.checkpoint',
  'retention.purge',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export type AuditOutcome = 'success' | 'failure' | 'info';

export interface AuditRecord {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly type: string;
  readonly actor: string;
  readonly outcome: string;
  readonly transmissionId: string | null;
  readonly subjectHash: string | null;
  readonly documentUniqueId: string | null;
  /** JSON text, no patient data in clear. */
  readonly details: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** JSON with object keys sorted at every level: one serialisation for one value. */
export const canonicalJson = (v: unknown): string => {
  if (v === null || typeof v !== 'object') {
    return JSON.stringify(v) ?? 'null';
  }
  if (Array.isArray(v)) {
    return `[${v.map(canonicalJson).join(',')}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
};

export const recordHash = (r: Omit<AuditRecord, 'hash'>): string =>
  createHash('sha256')
    .update(
      canonicalJson({
        seq: r.seq,
        id: r.id,
        at: r.at,
        type: r.type,
        actor: r.actor,
        outcome: r.outcome,
        transmissionId: r.transmissionId,
        subjectHash: r.subjectHash,
        documentUniqueId: r.documentUniqueId,
        details: r.details,
        prevHash: r.prevHash,
      }),
    )
    .digest('hex');

/** Keyed hash of a patient identifier (INS): searchable, not reversible without the key. */
export const subjectHash = (key: string, ins: string): string => createHmac('sha256', key).update(ins.trim().toUpperCase()).digest('hex');

export interface ChainBreak {
  readonly seq: number;
  readonly reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';
}

/** Walks records in seq order; returns the first break, or undefined when the chain holds. */
export const verifyChain = (records: Iterable<AuditRecord>, start: { prevHash: string; seq: number } = { prevHash: GENESIS_HASH, seq: 0 }): ChainBreak | undefined => {
  let prev = start.prevHash;
  let lastSeq = start.seq;
  for (const r of records) {
    if (r.prevHash !== prev) {
      return { seq: r.seq, reason: 'prev_hash_mismatch' };
    }
    if (recordHash(r) !== r.hash) {
      return { seq: r.seq, reason: 'hash_mismatch' };
    }
    if (r.seq <= lastSeq) {
      return { seq: r.seq, reason: 'sequence_gap' };
    }
    prev = r.hash;
    lastSeq = r.seq;
  }
  return undefined;
};
