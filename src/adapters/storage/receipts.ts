/**
 * The SIL receipts outbox (table sil_receipts, migration 004): the DMP receipts (`ZAM^Z01`) owed to the SIL, each
 * written in the transaction that settles its transmission, then claimed with a lease by the receipt worker
 * (PostgreSQL: FOR UPDATE SKIP LOCKED, so several instances share them) until the SIL acknowledges it.
 * Every change is written by the caller with its audit record, in the transaction it passes in.
 */
import { GatewayError } from '../../core/errors/index.js';
import type { Db, Executor, Row } from './db.js';

export const RECEIPT_STATES = ['pending', 'sent', 'failed'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];

export interface SilReceipt {
  readonly id: string;
  readonly transmissionId: string;
  /** MSH-10 of the ZAM (the same for every attempt, so the SIL can tell a resend). */
  readonly controlId: string;
  /** MSH-10 of the SIL's ORU/MDM, echoed in OBX-4. */
  readonly originalControlId: string;
  /** OBX-5: Y (in the DMP) or N (refused / given up). */
  readonly accepted: boolean;
  /** The ZAM text (segments separated by CR), sent UTF-8 as its MSH-18 says. */
  readonly payload: string;
  readonly state: ReceiptState;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseOwner: string | null;
  readonly leaseUntil: string | null;
  readonly lastErrorCode: string | null;
  readonly lastError: string | null;
  /** The SIL's last answer, as received. */
  readonly answer: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt: string | null;
  /** The transmission's keyed INS hash (for the audit records), when read with the claim. */
  readonly insHash: string | null;
}

export type NewReceipt = Pick<SilReceipt, 'id' | 'transmissionId' | 'controlId' | 'originalControlId' | 'accepted' | 'payload'> & {
  /** `failed` at once when no receipt can be built (the original is unreadable). */
  readonly state: 'pending' | 'failed';
  readonly lastErrorCode?: string;
  readonly lastError?: string;
  readonly at: Date;
};

const str = (r: Row, k: string): string | null => (typeof r[k] === 'string' ? r[k] : null);

const rowToReceipt = (r: Row): SilReceipt => {
  const state = String(r['state']);
  if (!(RECEIPT_STATES as readonly string[]).includes(state)) {
    throw new GatewayError('INTERNAL', `unknown receipt state in storage: ${state}`);
  }
  return {
    id: String(r['id']),
    transmissionId: String(r['transmission_id']),
    controlId: String(r['control_id']),
    originalControlId: String(r['original_control_id']),
    accepted: Number(r['accepted']) === 1,
    payload: String(r['payload']),
    state: state as ReceiptState,
    attempts: Number(r['attempts'] ?? 0),
    nextAttemptAt: String(r['next_attempt_at']),
    leaseOwner: str(r, 'lease_owner'),
    leaseUntil: str(r, 'lease_until'),
    lastErrorCode: str(r, 'last_error_code'),
    lastError: str(r, 'last_error'),
    answer: str(r, 'answer'),
    createdAt: String(r['created_at']),
    updatedAt: String(r['updated_at']),
    sentAt: str(r, 'sent_at'),
    insHash: str(r, 'ins_hash'),
  };
};

/** What an attempt leaves behind. */
export interface AttemptRecord {
  readonly attempts: number;
  readonly at: Date;
  readonly answer?: string;
  readonly errorCode?: string;
  readonly error?: string;
}

export class SilReceiptStore {
  constructor(private readonly db: Db) {}

  /** The raw bytes of the SIL's message behind a transmission (empty once purged by retention). */
  async originalOf(tx: Executor, transmissionId: string): Promise<Buffer | undefined> {
    const r = (await tx.query<{ raw: Buffer | Uint8Array | null }>('SELECT i.raw FROM inbound_messages i JOIN transmissions t ON t.inbound_id = i.id WHERE t.id = ?', [transmissionId]))[0];
    return r?.raw ? Buffer.from(r.raw) : undefined;
  }

  async insert(tx: Executor, r: NewReceipt): Promise<void> {
    const at = r.at.toISOString();
    await tx.execute(
      `INSERT INTO sil_receipts (id, transmission_id, control_id, original_control_id, accepted, payload, state, attempts, next_attempt_at, last_error_code, last_error, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
      [r.id, r.transmissionId, r.controlId, r.originalControlId, r.accepted ? 1 : 0, r.payload, r.state, at, r.lastErrorCode ?? null, r.lastError ?? null, at, at],
    );
  }

  /**
   * Claims up to `limit` pending receipts that are due and not leased (or whose lease ran out: their instance died
   * mid-send), for `owner` until `leaseUntil`, oldest first — one transaction.
   */
  claim(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<SilReceipt[]> {
    const nowIso = now.toISOString();
    const pick = `SELECT id FROM sil_receipts WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
      ORDER BY created_at, id LIMIT ${Math.max(1, Math.floor(limit))}`;
    return this.db.transaction(async (tx) => {
      const ids = (await tx.query<{ id: string }>(this.db.engine === 'postgres' ? `${pick} FOR UPDATE SKIP LOCKED` : pick, [nowIso, nowIso])).map((r) => r.id);
      if (ids.length === 0) {
        return [];
      }
      const marks = ids.map(() => '?').join(', ');
      await tx.execute(`UPDATE sil_receipts SET lease_owner = ?, lease_until = ? WHERE id IN (${marks})`, [owner, leaseUntil.toISOString(), ...ids]);
      const rows = await tx.query(`SELECT r.*, t.ins_hash FROM sil_receipts r JOIN transmissions t ON t.id = r.transmission_id WHERE r.id IN (${marks}) ORDER BY r.created_at, r.id`, ids);
      return rows.map(rowToReceipt);
    });
  }

  /** The SIL acknowledged it. Returns false when it was no longer pending (another instance recorded it first). */
  async markSent(tx: Executor, id: string, a: AttemptRecord): Promise<boolean> {
    const at = a.at.toISOString();
    const n = await tx.execute(
      `UPDATE sil_receipts SET state = 'sent', attempts = ?, answer = ?, sent_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL, last_error_code = NULL, last_error = NULL
       WHERE id = ? AND state = 'pending'`,
      [a.attempts, a.answer ?? null, at, at, id],
    );
    return n === 1;
  }

  /** A failed attempt: try again at `next`. Only while this owner still holds the lease. */
  async reschedule(tx: Executor, id: string, owner: string, a: AttemptRecord, next: Date): Promise<boolean> {
    const n = await tx.execute(
      `UPDATE sil_receipts SET attempts = ?, next_attempt_at = ?, answer = ?, last_error_code = ?, last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND state = 'pending' AND lease_owner = ?`,
      [a.attempts, next.toISOString(), a.answer ?? null, a.errorCode ?? null, a.error ?? null, a.at.toISOString(), id, owner],
    );
    return n === 1;
  }

  /** Given up (refused by the SIL, or too many attempts). Only while this owner still holds the lease. */
  async markFailed(tx: Executor, id: string, owner: string, a: AttemptRecord): Promise<boolean> {
    const n = await tx.execute(
      `UPDATE sil_receipts SET state = 'failed', attempts = ?, answer = ?, last_error_code = ?, last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND state = 'pending' AND lease_owner = ?`,
      [a.attempts, a.answer ?? null, a.errorCode ?? null, a.error ?? null, a.at.toISOString(), id, owner],
    );
    return n === 1;
  }

  async byTransmission(transmissionId: string): Promise<SilReceipt[]> {
    return (await this.db.query('SELECT r.*, t.ins_hash FROM sil_receipts r JOIN transmissions t ON t.id = r.transmission_id WHERE r.transmission_id = ? ORDER BY r.created_at, r.id', [transmissionId])).map(rowToReceipt);
  }

  /** Receipts still to be sent (for the start-up line when no SIL address is set, and metrics). */
  async countPending(): Promise<number> {
    const r = (await this.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM sil_receipts WHERE state = 'pending'"))[0];
    return Number(r?.n ?? 0);
  }
}
