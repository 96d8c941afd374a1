import { createHash } from 'node:crypto';
import { GatewayError } from '../../core/errors/index.js';
import { canTransition } from '../../core/policy/transitions.js';
import { isTransmissionState, type TransmissionState } from '../../core/policy/states.js';
import type { Issue } from '../../core/validation/issue.js';
import { appendAudit, type AuditInput } from './audit-store.js';
import { isUniqueViolation, type Db, type Executor, type Row } from './db.js';

export interface InboundMessage {
  readonly id: string;
  readonly sender: string;
  readonly messageId: string;
  readonly contentType: string;
  readonly receivedAt: string;
}

export interface Transmission {
  readonly id: string;
  readonly inboundId: string;
  readonly reportIndex: number;
  readonly status: TransmissionState;
  readonly accession: string;
  readonly insHash: string | null;
  readonly reportJson: string | null;
  readonly issues: readonly Issue[];
  readonly setId: string | null;
  readonly versionNumber: number | null;
  readonly documentUniqueId: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly leaseOwner: string | null;
  readonly leaseUntil: string | null;
  readonly lastErrorCode: string | null;
  readonly lastError: string | null;
  readonly dmpAnswer: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const rowToTransmission = (r: Row): Transmission => {
  const status = String(r['status']);
  if (!isTransmissionState(status)) {
    throw new GatewayError('INTERNAL', `unknown transmission state in storage: ${status}`);
  }
  const n = (k: string): number | null => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  const s = (k: string): string | null => {
    const v = r[k];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  };
  return {
    id: String(r['id']),
    inboundId: String(r['inbound_id']),
    reportIndex: Number(r['report_index']),
    status,
    accession: String(r['accession']),
    insHash: s('ins_hash'),
    reportJson: s('report_json'),
    issues: JSON.parse(typeof r['issues_json'] === 'string' ? r['issues_json'] : '[]') as Issue[],
    setId: s('set_id'),
    versionNumber: n('version_number'),
    documentUniqueId: s('document_unique_id'),
    attempts: Number(r['attempts'] ?? 0),
    nextAttemptAt: s('next_attempt_at'),
    leaseOwner: s('lease_owner'),
    leaseUntil: s('lease_until'),
    lastErrorCode: s('last_error_code'),
    lastError: s('last_error'),
    dmpAnswer: s('dmp_answer'),
    createdAt: String(r['created_at']),
    updatedAt: String(r['updated_at']),
  };
};

export interface NewInbound {
  readonly id: string;
  readonly sender: string;
  readonly messageId: string;
  readonly contentType: string;
  readonly raw: Buffer;
}

export interface NewTransmission {
  readonly id: string;
  readonly reportIndex: number;
  readonly accession: string;
  readonly insHash: string | null;
  readonly reportJson: string;
  readonly issues?: readonly Issue[];
}

/** Fields a transition may set along with the state. */
export interface TransitionPatch {
  readonly issues?: readonly Issue[];
  readonly setId?: string;
  readonly versionNumber?: number;
  readonly documentUniqueId?: string;
  readonly attempts?: number;
  readonly nextAttemptAt?: string | null;
  readonly leaseOwner?: string | null;
  readonly leaseUntil?: string | null;
  readonly lastErrorCode?: string | null;
  readonly lastError?: string | null;
  readonly dmpAnswer?: string | null;
  readonly reportJson?: string;
  /** The keyed hash of the patient's INS (audit subject), when a corrected identity replaces the report's. */
  readonly insHash?: string | null;
}

const PATCH_COLUMNS: Readonly<Record<keyof TransitionPatch, string>> = {
  issues: 'issues_json',
  setId: 'set_id',
  versionNumber: 'version_number',
  documentUniqueId: 'document_unique_id',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  leaseOwner: 'lease_owner',
  leaseUntil: 'lease_until',
  insHash: 'ins_hash',
  lastErrorCode: 'last_error_code',
  lastError: 'last_error',
  dmpAnswer: 'dmp_answer',
  reportJson: 'report_json',
};

export interface TransmissionFilter {
  readonly status?: TransmissionState;
  readonly insHash?: string;
  readonly since?: string;
  readonly until?: string;
  /** Opaque cursor from the previous page (created_at|id). */
  readonly cursor?: string;
  readonly limit?: number;
}

/**
 * Inbound messages and transmissions. Every state change is a compare-and-set on the current state, written
 * with its audit record in the same transaction; a change the state machine forbids is a CONFLICT.
 */
export class TransmissionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: { now(): Date },
    private readonly ids: { uuid(): string },
  ) {}

  async findInbound(sender: string, messageId: string, tx: Executor = this.db): Promise<InboundMessage | undefined> {
    const r = (await tx.query('SELECT id, sender, message_id, content_type, received_at FROM inbound_messages WHERE sender = ? AND message_id = ?', [sender, messageId]))[0];
    return r ? { id: String(r['id']), sender: String(r['sender']), messageId: String(r['message_id']), contentType: String(r['content_type']), receivedAt: String(r['received_at']) } : undefined;
  }

  async rawOf(inboundId: string): Promise<Buffer | undefined> {
    const r = (await this.db.query<{ raw: Buffer | Uint8Array | null }>('SELECT raw FROM inbound_messages WHERE id = ?', [inboundId]))[0];
    return r?.raw ? Buffer.from(r.raw) : undefined;
  }

  /**
   * Stores the raw message and its transmissions (state `received`) with their audit records, in one
   * transaction. If the same sender + message id was stored before, nothing is written and the existing
   * transmissions are returned with `duplicate: true` (idempotency).
   */
  async receive(inbound: NewInbound, transmissions: readonly NewTransmission[], audit: Omit<AuditInput, 'type' | 'transmissionId' | 'outcome'>): Promise<{ duplicate: boolean; transmissions: Transmission[] }> {
    const now = this.clock.now().toISOString();
    try {
      return await this.db.transaction(async (tx) => {
        const existing = await this.findInbound(inbound.sender, inbound.messageId, tx);
        if (existing) {
          return { duplicate: true, transmissions: await this.byInbound(existing.id, tx) };
        }
        await tx.execute(
          'INSERT INTO inbound_messages (id, sender, message_id, content_type, raw, raw_sha256, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [inbound.id, inbound.sender, inbound.messageId, inbound.contentType, inbound.raw, createHash('sha256').update(inbound.raw).digest('hex'), now],
        );
        for (const t of transmissions) {
          await tx.execute(
            `INSERT INTO transmissions (id, inbound_id, report_index, status, accession, ins_hash, report_json, issues_json, created_at, updated_at)
             VALUES (?, ?, ?, 'received', ?, ?, ?, ?, ?, ?)`,
            [t.id, inbound.id, t.reportIndex, t.accession, t.insHash, t.reportJson, JSON.stringify(t.issues ?? []), now, now],
          );
          await appendAudit(this.db, tx, {
            ...audit,
            type: 'report.received',
            outcome: 'success',
            transmissionId: t.id,
            subjectHash: t.insHash ?? audit.subjectHash,
            details: { ...(audit.details ?? {}), inboundId: inbound.id, rawSha256: createHash('sha256').update(inbound.raw).digest('hex'), contentType: inbound.contentType },
          }, this.clock.now(), this.ids.uuid());
        }
        return { duplicate: false, transmissions: await this.byInbound(inbound.id, tx) };
      });
    } catch (e) {
      // Two concurrent deliveries of the same message: the loser reads the winner's rows.
      if (isUniqueViolation(e)) {
        const existing = await this.findInbound(inbound.sender, inbound.messageId);
        if (existing) {
          return { duplicate: true, transmissions: await this.byInbound(existing.id) };
        }
      }
      throw e;
    }
  }

  async byInbound(inboundId: string, tx: Executor = this.db): Promise<Transmission[]> {
    return (await tx.query('SELECT * FROM transmissions WHERE inbound_id = ? ORDER BY report_index', [inboundId])).map(rowToTransmission);
  }

  async get(id: string, tx: Executor = this.db): Promise<Transmission | undefined> {
    const r = (await tx.query('SELECT * FROM transmissions WHERE id = ?', [id]))[0];
    return r ? rowToTransmission(r) : undefined;
  }

  async list(filter: TransmissionFilter): Promise<{ items: Transmission[]; nextCursor?: string }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.insHash) {
      where.push('ins_hash = ?');
      params.push(filter.insHash);
    }
    if (filter.since) {
      where.push('created_at >= ?');
      params.push(filter.since);
    }
    if (filter.until) {
      where.push('created_at < ?');
      params.push(filter.until);
    }
    if (filter.cursor) {
      const [at, id] = Buffer.from(filter.cursor, 'base64url').toString('utf8').split('|');
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(at ?? '', at ?? '', id ?? '');
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const rows = await this.db.query(
      `SELECT * FROM transmissions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
      params,
    );
    const items = rows.slice(0, limit).map(rowToTransmission);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: Buffer.from(`${last.createdAt}|${last.id}`).toString('base64url') } : { items };
  }

  /**
   * Moves a transmission from one of `from` to `to`, with `patch`, and appends `audit` — one transaction.
   * Throws CONFLICT when the transmission is not in an expected state (someone else moved it) or when
   * the state machine forbids the change.
   */
  async transition(
    id: string,
    from: readonly TransmissionState[],
    to: TransmissionState,
    patch: TransitionPatch,
    audit: Omit<AuditInput, 'transmissionId'>,
    tx?: Executor,
  ): Promise<Transmission> {
    for (const f of from) {
      if (!canTransition(f, to)) {
        throw new GatewayError('CONFLICT', `A transmission cannot go from ${f} to ${to}.`);
      }
    }
    const run = async (t: Executor): Promise<Transmission> => {
      const sets = ['status = ?', 'updated_at = ?'];
      const params: (string | number | null)[] = [to, this.clock.now().toISOString()];
      for (const [k, v] of Object.entries(patch) as [keyof TransitionPatch, unknown][]) {
        if (v === undefined) {
          continue;
        }
        sets.push(`${PATCH_COLUMNS[k]} = ?`);
        params.push(k === 'issues' ? JSON.stringify(v) : (v as string | number | null));
      }
      // RETURNING (PostgreSQL; SQLite ≥ 3.35): the row as updated, without a second statement (a round trip on PostgreSQL).
      const updated = await t.query(
        `UPDATE transmissions SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')}) RETURNING *`,
        [...params, id, ...from],
      );
      const changed = updated[0];
      if (updated.length !== 1 || !changed) {
        const current = await this.get(id, t);
        throw new GatewayError(current ? 'CONFLICT' : 'NOT_FOUND', current ? `Transmission is ${current.status}, not ${from.join(' or ')}.` : 'No such transmission.');
      }
      const row = rowToTransmission(changed);
      await appendAudit(this.db, t, { ...audit, transmissionId: id, subjectHash: audit.subjectHash ?? row.insHash ?? undefined, details: { from, to, ...(audit.details ?? {}) } }, this.clock.now(), this.ids.uuid());
      return row;
    };
    return tx ? run(tx) : this.db.transaction(run);
  }

  /** Counts by state, for metrics and the dashboard. */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM transmissions GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
