import type { Migration } from './index.js';

/**
 * documents by transmission: the processing step looks up a report's latest version (by accession, through its
 * transmissions), delivery its transmission's document, and the claim checks the version a document replaces. Without
 * this index each of them read the whole documents table (found by the benchmark's profile: a lookup cost grew with
 * every document stored).
 */
export const m005DocumentLookups: Migration = {
  version: 5,
  name: 'document-lookups',
  up: () => [`CREATE INDEX documents_transmission ON documents (transmission_id, version_number)`],
};
