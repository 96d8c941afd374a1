import { createHash } from 'node:crypto';
import type { CdaHeader } from '../../core/xds/cda-header.js';
import type { Db, Executor } from './db.js';
import { rowToTransmission, type Transmission } from './transmissions.js';

export interface StoredDocument {
  readonly uniqueId: string;
  readonly transmissionId: string;
  readonly setId: string;
  readonly versionNumber: number;
  readonly replacesUniqueId: string | null;
  readonly entryUuid: string | null;
  readonly sha1: string;
  readonly sizeBytes: number;
}

const rowToDocument = (r: Record<string, unknown>): StoredDocument => ({
  uniqueId: String(r['unique_id']),
  transmissionId: String(r['transmission_id']),
  setId: String(r['set_id']),
  versionNumber: Number(r['version_number']),
  replacesUniqueId: typeof r['replaces_unique_id'] === 'string' ? r['replaces_unique_id'] : null,
  entryUuid: typeof r['entry_uuid'] === 'string' ? r['entry_uuid'] : null,
  sha1: String(r['sha1']),
  sizeBytes: Number(r['size_bytes']),
});

/**
 * A document's columns without its bytes (reading them would load the stored CDA for nothing), with its DMP
 * entryUUID (migration 006): use with DOCUMENT_FROM.
 */
const DOCUMENT_COLUMNS = 'd.unique_id, d.transmission_id, d.set_id, d.version_number, d.replaces_unique_id, e.entry_uuid, d.sha1, d.size_bytes';
export const DOCUMENT_FROM = 'documents d LEFT JOIN document_entries e ON e.unique_id = d.unique_id';

/**
 * The stored CDA header (documents.cda_header, JSON text), or undefined when there is none (a document stored before
 * migration 007, or built without one) or it does not look like one: delivery then reads the document itself.
 */
const headerOf = (v: unknown): CdaHeader | undefined => {
  if (typeof v !== 'string' || v === '') {
    return undefined;
  }
  try {
    const h = JSON.parse(v) as Partial<Record<keyof CdaHeader, unknown>> | null;
    const lists = h ? [h.templateIds, h.otherPatientIds, h.authors, h.orderIds] : [];
    return h && typeof h === 'object' && typeof h.patient === 'object' && lists.every((l) => Array.isArray(l)) ? (h as CdaHeader) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The outbox side of storage: claiming work with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED, so several
 * instances share the queue; SQLite: one writer at a time), documents and their version chain, sweeps.
 */
export class OutboxStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims up to `limit` transmissions due for sending (ready, retry_wait due, uncertain due) for `owner`
   * until `leaseUntil`. The claimed rows keep their state; the caller moves them to `sending` with its audit
   * record. Returns them with their previous state.
   */
  async claim(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<Transmission[]> {
    const nowIso = now.toISOString();
    const n = Math.max(1, Math.floor(limit));
    // A new version waits until the version it replaces has reached the DMP (RPLC needs the old entry).
    const previousSettled = `NOT EXISTS (
          SELECT 1 FROM documents d
          JOIN documents prev ON prev.unique_id = d.replaces_unique_id
          JOIN transmissions pt ON pt.id = prev.transmission_id
          WHERE d.transmission_id = transmissions.id AND pt.status NOT IN ('delivered', 'failed', 'rejected', 'opposed')
        )`;
    const free = '(lease_until IS NULL OR lease_until < ?)';
    // One ordered query per state, each stopping at its limit in index order, rather than one over the three states
    // (which sorted the whole backlog at every claim): ready rows oldest first (status, created_at, id); retries and
    // uncertain sends earliest due first (status, next_attempt_at), walking only the due ones. The oldest `limit` of
    // what they return are leased.
    return this.lease([
      { sql: `SELECT id, created_at FROM transmissions WHERE status = 'ready' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND ${free} AND ${previousSettled}
        ORDER BY created_at, id LIMIT ${n}`, params: [nowIso, nowIso] },
      ...(['retry_wait', 'uncertain'] as const).map((status) => ({
        sql: `SELECT id, created_at FROM transmissions WHERE status = '${status}' AND next_attempt_at <= ? AND ${free} AND ${previousSettled}
        ORDER BY next_attempt_at LIMIT ${n}`, params: [nowIso, nowIso],
      })),
      { sql: `SELECT id, created_at FROM transmissions WHERE status IN ('retry_wait', 'uncertain') AND next_attempt_at IS NULL AND ${free} AND ${previousSettled}
        ORDER BY created_at, id LIMIT ${n}`, params: [nowIso] },
    ], n, owner, leaseUntil);
  }

  /** Received transmissions waiting to be processed (identity gate, build, validation). */
  async claimReceived(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<Transmission[]> {
    const nowIso = now.toISOString();
    // Versions of one report are processed in order (each takes the next versionNumber), also across instances.
    const pick = `SELECT id, created_at FROM transmissions WHERE status = 'received' AND (lease_until IS NULL OR lease_until < ?)
      AND NOT EXISTS (
        SELECT 1 FROM transmissions o WHERE o.accession = transmissions.accession AND o.status = 'received'
          AND (o.created_at < transmissions.created_at OR (o.created_at = transmissions.created_at AND o.id < transmissions.id))
      )
      ORDER BY created_at, id LIMIT ${Math.max(1, Math.floor(limit))}`;
    return this.lease([{ sql: pick, params: [nowIso] }], Math.max(1, Math.floor(limit)), owner, leaseUntil);
  }

  /**
   * Runs the `picks` (SELECTs of id, created_at), locking the rows on PostgreSQL (SKIP LOCKED: another instance takes
   * others), gives the oldest `limit` of them to `owner` until `leaseUntil`, and returns them — one transaction.
   */
  private lease(picks: readonly { sql: string; params: readonly string[] }[], limit: number, owner: string, leaseUntil: Date): Promise<Transmission[]> {
    return this.db.transaction(async (tx) => {
      const rows: { id: string; created_at: string }[] = [];
      for (const p of picks) {
        rows.push(...await tx.query<{ id: string; created_at: string }>(this.db.engine === 'postgres' ? `${p.sql} FOR UPDATE OF transmissions SKIP LOCKED` : p.sql, p.params));
      }
      if (rows.length === 0) {
        return [];
      }
      const byAge = (a: { id: string; created_at: string }, b: { id: string; created_at: string }): number =>
        a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      const list = rows.sort(byAge).slice(0, limit).map((r) => r.id);
      const marks = list.map(() => '?').join(', ');
      // RETURNING: the leased rows without a second statement; its order is not defined, hence the sort.
      const leased = (await tx.query(`UPDATE transmissions SET lease_owner = ?, lease_until = ? WHERE id IN (${marks}) RETURNING *`, [owner, leaseUntil.toISOString(), ...list])).map(rowToTransmission);
      return leased.sort((a, b) => byAge({ id: a.id, created_at: a.createdAt }, { id: b.id, created_at: b.createdAt }));
    });
  }

  /** Extends the lease of transmissions this instance is still sending. */
  async renewLeases(owner: string, ids: readonly string[], leaseUntil: Date): Promise<number> {
    if (ids.length === 0) {
      return 0;
    }
    return this.db.execute(`UPDATE transmissions SET lease_until = ? WHERE lease_owner = ? AND status = 'sending' AND id IN (${ids.map(() => '?').join(', ')})`, [leaseUntil.toISOString(), owner, ...ids]);
  }

  /** Transmissions left in `sending` whose lease ran out: their instance died mid-send. */
  async expiredSending(now: Date): Promise<Transmission[]> {
    return (await this.db.query("SELECT * FROM transmissions WHERE status = 'sending' AND lease_until < ?", [now.toISOString()])).map(rowToTransmission);
  }

  /** The latest document of a report (same SIL accession number = same setId), if any. */
  async latestVersion(accession: string, tx: Executor = this.db): Promise<StoredDocument | undefined> {
    const r = (
      await tx.query(
        `SELECT ${DOCUMENT_COLUMNS} FROM ${DOCUMENT_FROM} JOIN transmissions t ON t.id = d.transmission_id
         WHERE t.accession = ? ORDER BY d.version_number DESC LIMIT 1`,
        [accession],
      )
    )[0];
    return r ? rowToDocument(r) : undefined;
  }

  /** Stores a built document; `header`: its CDA header as read from the document (stored as JSON, for delivery). */
  async insertDocument(tx: Executor, d: { uniqueId: string; transmissionId: string; setId: string; versionNumber: number; replacesUniqueId?: string; xml: string; header?: CdaHeader; at: Date }): Promise<StoredDocument> {
    const bytes = Buffer.from(d.xml, 'utf8');
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    await tx.execute(
      'INSERT INTO documents (unique_id, transmission_id, set_id, version_number, replaces_unique_id, cda, cda_header, sha1, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [d.uniqueId, d.transmissionId, d.setId, d.versionNumber, d.replacesUniqueId ?? null, bytes, d.header ? JSON.stringify(d.header) : null, sha1, bytes.length, d.at.toISOString()],
    );
    return { uniqueId: d.uniqueId, transmissionId: d.transmissionId, setId: d.setId, versionNumber: d.versionNumber, replacesUniqueId: d.replacesUniqueId ?? null, entryUuid: null, sha1, sizeBytes: bytes.length };
  }

  /** The latest document of a transmission, with its text and, when stored, its CDA header. */
  async documentOf(transmissionId: string): Promise<(StoredDocument & { xml: string; header?: CdaHeader }) | undefined> {
    const r = (await this.db.query(`SELECT ${DOCUMENT_COLUMNS}, d.cda, d.cda_header FROM ${DOCUMENT_FROM} WHERE d.transmission_id = ? ORDER BY d.version_number DESC LIMIT 1`, [transmissionId]))[0];
    if (!r) {
      return undefined;
    }
    const cda = r['cda'];
    const header = headerOf(r['cda_header']);
    return { ...rowToDocument(r), xml: cda ? Buffer.from(cda as Uint8Array).toString('utf8') : '', ...(header ? { header } : {}) };
  }

  async document(uniqueId: string, tx: Executor = this.db): Promise<StoredDocument | undefined> {
    const r = (await tx.query(`SELECT ${DOCUMENT_COLUMNS} FROM ${DOCUMENT_FROM} WHERE d.unique_id = ?`, [uniqueId]))[0];
    return r ? rowToDocument(r) : undefined;
  }

  async setEntryUuid(tx: Executor, uniqueId: string, entryUuid: string): Promise<void> {
    await tx.execute('INSERT INTO document_entries (unique_id, entry_uuid) VALUES (?, ?) ON CONFLICT (unique_id) DO UPDATE SET entry_uuid = excluded.entry_uuid', [uniqueId, entryUuid]);
  }

  /** Age in seconds of the oldest transmission waiting to be sent (0 if none). */
  async oldestReadyAgeSeconds(now: Date): Promise<number> {
    const r = (await this.db.query<{ t: string | null }>("SELECT MIN(created_at) AS t FROM transmissions WHERE status IN ('ready', 'retry_wait', 'uncertain')"))[0];
    return r?.t ? Math.max(0, (now.getTime() - Date.parse(r.t)) / 1000) : 0;
  }

  /**
   * Retention: drops raw inputs and document bodies (and the CDA header kept with them: patient data too) older than
   * `before` (the rows, hashes and audit trail stay). Returns how many of each were purged.
   */
  async purgeBefore(before: Date, now: Date): Promise<{ inputs: number; documents: number }> {
    const iso = before.toISOString();
    return this.db.transaction(async (tx) => {
      const inputs = await tx.execute("UPDATE inbound_messages SET raw = ?, purged_at = ? WHERE received_at < ? AND purged_at IS NULL", [Buffer.alloc(0), now.toISOString(), iso]);
      const documents = await tx.execute(
        `UPDATE documents SET cda = NULL, cda_header = NULL WHERE created_at < ? AND cda IS NOT NULL
           AND transmission_id IN (SELECT id FROM transmissions WHERE status IN ('delivered', 'rejected', 'opposed', 'failed'))`,
        [iso],
      );
      return { inputs, documents };
    });
  }
}
