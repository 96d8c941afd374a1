import type { Migration } from './index.js';

/**
 * The DMP entryUUID of a delivered document, in a table of its own. It was a column of `documents`, set after
 * delivery; on SQLite an UPDATE rewrites the whole row, so recording a 45-byte uuid rewrote the stored CDA
 * (~35 KB with its PDF copy) into the WAL at every delivery (found by the benchmark's profile: the delivery's
 * commit was the slowest of a report's). `documents.entry_uuid` is left in place, no longer written.
 */
export const m006DocumentEntries: Migration = {
  version: 6,
  name: 'document-entries',
  up: () => [
    `CREATE TABLE document_entries (
      unique_id TEXT PRIMARY KEY REFERENCES documents (unique_id),
      entry_uuid TEXT NOT NULL
    )`,
    `INSERT INTO document_entries (unique_id, entry_uuid) SELECT unique_id, entry_uuid FROM documents WHERE entry_uuid IS NOT NULL`,
  ],
};
