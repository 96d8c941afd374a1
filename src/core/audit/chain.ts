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
  'receipt.queued',
  'receipt.attempt',
  'receipt.failed',
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

export type ChainBreakReason =
  /** A record is missing: the record found has a later seq than the one expected. */
  | 'sequence_gap'
  /** The record's content does not give its stored hash: it was edited (or forged). */
  | 'hash_mismatch'
  /** The record does not point to the hash of the record before it: something before it was removed, inserted or moved. */
  | 'prev_hash_mismatch';

export interface ChainBreak {
  /** The first bad record: for a gap, the seq that is missing. */
  readonly seq: number;
  /** The id of the record found at that place (absent for a missing record). */
  readonly id?: string;
  readonly reason: ChainBreakReason;
  readonly message: string;
}

/**
 * Checks records one at a time in seq order (so a long trail can be read page by page). Order of checks for
 * each record: seq continuity, then its own hash, then its link to the previous record — so an edited record
 * is named itself, a deleted one by its missing seq, and a moved one where it now stands.
 */
export class ChainVerifier {
  private prev: string;
  private lastSeq: number;
  private broken: ChainBreak | undefined;
  count = 0;

  constructor(start: { prevHash: string; seq: number } = { prevHash: GENESIS_HASH, seq: 0 }) {
    this.prev = start.prevHash;
    this.lastSeq = start.seq;
  }

  get lastHash(): string {
    return this.prev;
  }

  get seq(): number {
    return this.lastSeq;
  }

  get result(): ChainBreak | undefined {
    return this.broken;
  }

  /** Returns the first break (and keeps returning it once found). */
  push(r: AuditRecord): ChainBreak | undefined {
    if (this.broken) {
      return this.broken;
    }
    const expected = this.lastSeq + 1;
    if (r.seq !== expected) {
      this.broken =
        r.seq > expected
          ? { seq: expected, reason: 'sequence_gap', message: `record #${expected} is missing (the next record found is #${r.seq})` }
          : { seq: r.seq, id: r.id, reason: 'sequence_gap', message: `record #${r.seq} comes after #${this.lastSeq}` };
      return this.broken;
    }
    if (recordHash(r) !== r.hash) {
      this.broken = { seq: r.seq, id: r.id, reason: 'hash_mismatch', message: `record #${r.seq} does not match its hash: it was altered` };
      return this.broken;
    }
    if (r.prevHash !== this.prev) {
      this.broken = { seq: r.seq, id: r.id, reason: 'prev_hash_mismatch', message: `record #${r.seq} does not follow record #${this.lastSeq}: a record before it was removed, inserted or moved` };
      return this.broken;
    }
    this.prev = r.hash;
    this.lastSeq = r.seq;
    this.count += 1;
    return undefined;
  }
}

/** Walks records in seq order; returns the first break, or undefined when the chain holds. */
export const verifyChain = (records: Iterable<AuditRecord>, start: { prevHash: string; seq: number } = { prevHash: GENESIS_HASH, seq: 0 }): ChainBreak | undefined => {
  const v = new ChainVerifier(start);
  for (const r of records) {
    const b = v.push(r);
    if (b) {
      return b;
    }
  }
  return undefined;
};
