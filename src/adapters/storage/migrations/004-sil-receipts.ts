import type { Migration } from './index.js';

/**
 * sil_receipts: the outbox of the volet's DMP receipts (`ZAM^Z01^ZAM_Z01`) owed to the SIL when its message carried
 * ACK_RECEPTION = Y. A row is written in the same transaction as the transmission's move to `delivered` or `failed`,
 * with the ZAM already built (`payload`, MSH-10 = `control_id`, kept for every retry), then sent over MLLP by the
 * receipt worker: `pending` → `sent` (the SIL answered AA/CA) | `failed` (refused, or too many attempts).
 */
export const m004SilReceipts: Migration = {
  version: 4,
  name: 'sil-receipts',
  up: () => [
    `CREATE TABLE sil_receipts (
      id TEXT PRIMARY KEY,
      transmission_id TEXT NOT NULL REFERENCES transmissions(id),
      control_id TEXT NOT NULL UNIQUE,
      original_control_id TEXT NOT NULL,
      accepted INTEGER NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      lease_owner TEXT,
      lease_until TEXT,
      last_error_code TEXT,
      last_error TEXT,
      answer TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      sent_at TEXT
    )`,
    `CREATE INDEX sil_receipts_due ON sil_receipts (state, next_attempt_at)`,
    `CREATE INDEX sil_receipts_transmission ON sil_receipts (transmission_id)`,
  ],
};
