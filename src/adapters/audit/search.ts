/**
 * Searching the audit trail: time range, patient (keyed hash of the INS), transmission, document uniqueId,
 * event type, outcome. Newest first with a seq cursor; exports walk the same filter oldest first, page by page.
 */
import type { AuditRecord } from '../../core/audit/chain.js';
import { rowToAudit } from '../storage/audit-store.js';
import type { Executor, SqlValue } from '../storage/db.js';

export interface AuditFilter {
  /** Inclusive lower bound, ISO 8601. */
  readonly from?: string;
  /** Exclusive upper bound, ISO 8601. */
  readonly to?: string;
  readonly subjectHash?: string;
  readonly transmissionId?: string;
  readonly documentUniqueId?: string;
  readonly types?: readonly string[];
  readonly outcome?: string;
  readonly actor?: string;
}

const whereOf = (f: AuditFilter): { sql: string[]; params: SqlValue[] } => {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  const eq = (col: string, v: string | undefined): void => {
    if (v !== undefined) {
      sql.push(`${col} = ?`);
      params.push(v);
    }
  };
  if (f.from !== undefined) {
    sql.push('at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    sql.push('at < ?');
    params.push(f.to);
  }
  eq('subject_hash', f.subjectHash);
  eq('transmission_id', f.transmissionId);
  eq('document_unique_id', f.documentUniqueId);
  eq('outcome', f.outcome);
  eq('actor', f.actor);
  if (f.types && f.types.length > 0) {
    sql.push(`type IN (${f.types.map(() => '?').join(', ')})`);
    params.push(...f.types);
  }
  return { sql, params };
};

/** One page, newest first. The cursor is the seq of the last record of the previous page. */
export async function searchAudit(db: Executor, f: AuditFilter, page: { limit: number; cursor?: number }): Promise<{ items: AuditRecord[]; nextCursor?: string }> {
  const { sql, params } = whereOf(f);
  if (page.cursor !== undefined) {
    sql.push('seq < ?');
    params.push(page.cursor);
  }
  const limit = Math.min(Math.max(page.limit, 1), 500);
  const rows = await db.query(`SELECT * FROM audit_events ${sql.length ? `WHERE ${sql.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit + 1}`, params);
  const items = rows.slice(0, limit).map(rowToAudit);
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, nextCursor: String(last.seq) } : { items };
}

/** Every matching record, oldest first, read in pages (for exports and evidence packs). */
export async function* iterateAudit(db: Executor, f: AuditFilter, pageSize = 1000): AsyncGenerator<AuditRecord> {
  let after = 0;
  for (;;) {
    const { sql, params } = whereOf(f);
    sql.push('seq > ?');
    params.push(after);
    const rows = await db.query(`SELECT * FROM audit_events WHERE ${sql.join(' AND ')} ORDER BY seq LIMIT ${pageSize}`, params);
    for (const row of rows) {
      const r = rowToAudit(row);
      after = r.seq;
      yield r;
    }
    if (rows.length < pageSize) {
      return;
    }
  }
}
