import { t, type Migration } from './index.js';

/**
 * The tables every part of the gateway shares:
 * - inbound_messages: the SIL's raw bytes, keyed by sender + message control id (idempotency);
 * - transmissions: one per report version, with its state (DESIGN.md "Transmission states");
 * - documents: the CDA built for a transmission, with its version chain (setId, versionNumber, RPLC);
 * - audit_events: the append-only, hash-chained audit trail;
 * - api_tokens: API tokens with roles (only a hash of each token is kept).
 */
export const m001Foundation: Migration = {
  version: 1,
  name: 'foundation',
  up: (engine) => {
    const x = t(engine);
    return [
      `CREATE TABLE inbound_messages (
        id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        message_id TEXT NOT NULL,
        content_type TEXT NOT NULL,
        raw ${x.bytes} NOT NULL,
        raw_sha256 TEXT NOT NULL,
        received_at TEXT NOT NULL,
        purged_at TEXT,
        UNIQUE (sender, message_id)
      )`,
      `CREATE TABLE transmissions (
        id TEXT PRIMARY KEY,
        inbound_id TEXT NOT NULL REFERENCES inbound_messages(id),
        report_index INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        accession TEXT NOT NULL,
        ins_hash TEXT,
        report_json TEXT,
        issues_json TEXT NOT NULL DEFAULT '[]',
        set_id TEXT,
        version_number INTEGER,
        document_unique_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        lease_owner TEXT,
        lease_until TEXT,
        last_error_code TEXT,
        last_error TEXT,
        dmp_answer TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (inbound_id, report_index)
      )`,
      `CREATE INDEX transmissions_status ON transmissions (status, next_attempt_at)`,
      `CREATE INDEX transmissions_ins ON transmissions (ins_hash)`,
      `CREATE INDEX transmissions_accession ON transmissions (accession)`,
      `CREATE INDEX transmissions_created ON transmissions (created_at)`,
      `CREATE TABLE documents (
        unique_id TEXT PRIMARY KEY,
        transmission_id TEXT NOT NULL REFERENCES transmissions(id),
        set_id TEXT NOT NULL,
        version_number INTEGER NOT NULL,
        replaces_unique_id TEXT,
        entry_uuid TEXT,
        cda ${x.bytes},
        sha1 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (set_id, version_number)
      )`,
      `CREATE TABLE audit_events (
        seq ${x.serialKey},
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        outcome TEXT NOT NULL,
        transmission_id TEXT,
        subject_hash TEXT,
        document_unique_id TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      `CREATE INDEX audit_events_at ON audit_events (at)`,
      `CREATE INDEX audit_events_transmission ON audit_events (transmission_id)`,
      `CREATE INDEX audit_events_subject ON audit_events (subject_hash)`,
      `CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      )`,
    ];
  },
};
