import type { Migration } from './index.js';

/**
 * documents by transmission, and transmissions by state and age: the processing step looks up a report's latest version (by accession, through its
 * transmissions), delivery its transmission's document, and the claim checks the version a document replaces. Without
 * this index each of them read the whole documents table (found by the benchmark's profile: a lookup cost grew with
 * every document stored).
 */
export const m005DocumentLookups: Migration = {
  version: 5,
  name: 'document-lookups',
  up: () => [
    `CREATE INDEX documents_transmission ON documents (transmission_id, version_number)`,
    // Claims take the oldest rows of a state first: in this order, a claim stops after `limit` rows instead of
    // reading and sorting the whole backlog (found by the memory benchmark: 170–450 ms per claim at 100,000 received).
    `CREATE INDEX transmissions_state_age ON transmissions (status, created_at, id)`,
    // "No older version of this report still received": looked up by report, not among all received rows.
    `CREATE INDEX transmissions_accession_state ON transmissions (accession, status, created_at, id)`,
  ],
};
