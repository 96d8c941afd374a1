import type { Migration } from './index.js';

/**
 * documents.cda_header: the CDA header for the XDS metadata (src/core/xds/cda-header.ts `CdaHeader`, as JSON text),
 * read by the document worker from the tree its conformance gate parsed, so that delivery does not parse the
 * CDA again (about 7.5 % of the main thread's CPU under load, issue 9). Null for documents stored before this
 * migration or built where no header was read: delivery then reads it from the document, as before.
 */
export const m007DocumentHeader: Migration = {
  version: 7,
  name: 'document-header',
  up: () => ['ALTER TABLE documents ADD COLUMN cda_header TEXT'],
};
