import { GENESIS_HASH, recordHash, type AuditEventType, type AuditOutcome, type AuditRecord } from '../../core/audit/chain.js';
import { transactionScopes, type Db, type Executor, type Row } from './db.js';

export interface AuditInput {
  readonly type: AuditEventType;
  /** Who: `sil:<sender>`, `user:<token id>`, `system:worker`, … */
  readonly actor: string;
  readonly outcome: AuditOutcome;
  readonly transmissionId?: string;
  /** Keyed hash of the patient's INS (see core/audit/chain.ts subjectHash), never the INS itself. */
  readonly subjectHash?: string;
  readonly documentUniqueId?: string;
  /** Facts about the event: codes, hashes, fingerprints, counts. No patient data in clear. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export const rowToAudit = (r: Row): AuditRecord => ({
  seq: Number(r['seq']),
  id: String(r['id']),
  at: String(r['at']),
  type: String(r['type']),
  actor: String(r['actor']),
  outcome: String(r['outcome']),
  transmissionId: (r['transmission_id'] as string | null) ?? null,
  subjectHash: (r['subject_hash'] as string | null) ?? null,
  documentUniqueId: (r['document_unique_id'] as string | null) ?? null,
  details: String(r['details']),
  prevHash: String(r['prev_hash']),
  hash: String(r['hash']),
});

/** The chain's head as this transaction left it (see transactionScopes): set by each append, gone with the transaction. */
const chainHead = new WeakMap<Executor, { seq: number; hash: string }>();

/**
 * Appends one record to the hash chain inside the caller's transaction: the record commits or rolls back
 * with the change it describes. Appends are serialised (PostgreSQL: transaction-scoped advisory lock;
 * SQLite: the write transaction itself), so concurrent writers keep one chain.
 */
export async function appendAudit(
  db: Pick<Db, 'engine'>,
  tx: Executor,
  input: AuditInput,
  at: Date,
  id: string,
): Promise<AuditRecord> {
  // A second record in the same transaction follows the first: the lock is held and the head known.
  let last = transactionScopes.has(tx) ? chainHead.get(tx) : undefined;
  if (!last) {
    if (db.engine === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock(7264002)');
    }
    last = (await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'))[0];
  }
  const base = {
    seq: last ? Number(last.seq) + 1 : 1,
    id,
    at: at.toISOString(),
    type: input.type,
    actor: input.actor,
    outcome: input.outcome,
    transmissionId: input.transmissionId ?? null,
    subjectHash: input.subjectHash ?? null,
    documentUniqueId: input.documentUniqueId ?? null,
    details: JSON.stringify(input.details ?? {}),
    prevHash: last ? last.hash : GENESIS_HASH,
  };
  const record: AuditRecord = { ...base, hash: recordHash(base) };
  await tx.execute(
    `INSERT INTO audit_events (seq, id, at, type, actor, outcome, transmission_id, subject_hash, document_unique_id, details, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [record.seq, record.id, record.at, record.type, record.actor, record.outcome, record.transmissionId, record.subjectHash, record.documentUniqueId, record.details, record.prevHash, record.hash],
  );
  if (transactionScopes.has(tx)) {
    chainHead.set(tx, { seq: record.seq, hash: record.hash });
  }
  return record;
}
