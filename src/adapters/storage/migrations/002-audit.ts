import { t, type Migration } from './index.js';

/**
 * The audit trail's companions (issue 8):
 * - audit_checkpoints: signed statements "the trail's record <seq> has hash <hash>", made periodically with the
 *   structure's signature certificate, so that deleting the LAST records (which the hash chain alone cannot
 *   show) is caught by `audit verify`. Each checkpoint also carries the previous checkpoint's signature hash.
 * - ui_sessions: dashboard sign-in sessions (only a SHA-256 of the session id is kept).
 */
export const m002Audit: Migration = {
  version: 2,
  name: 'audit',
  up: (engine) => [
    `CREATE TABLE audit_checkpoints (
      seq ${t(engine).bigint} PRIMARY KEY,
      record_hash TEXT NOT NULL,
      at TEXT NOT NULL,
      prev_checkpoint TEXT NOT NULL,
      cert_fingerprint TEXT NOT NULL,
      cert_pem TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      signature TEXT NOT NULL
    )`,
    `CREATE TABLE ui_sessions (
      id_sha256 TEXT PRIMARY KEY,
      token_id TEXT NOT NULL,
      role TEXT NOT NULL,
      csrf TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    )`,
  ],
};
