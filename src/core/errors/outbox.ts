import { defineErrors } from './catalogue.js';

/** The outbox: processing, quarantine, dead letters, replay. */
export const outboxErrors = defineErrors({
  DOCUMENT_NONCONFORMANT: { status: 422, retryable: false, message: 'The built document fails the conformance gate (XSD or rules); it is quarantined with its issues.' },
  DOCUMENT_BUILD_ERROR: { status: 422, retryable: false, message: 'The document could not be built from this report.' },
  DOCUMENT_WORKER_FAILED: { status: 500, retryable: true, message: 'The document worker thread stopped while building or checking the document; the document was not built (quarantined, replayable).' },
  OUTBOX_DOCUMENT_MISSING: { status: 500, retryable: false, message: 'The document of this transmission is not in storage (purged or never built).' },
  REPLAY_NOT_ALLOWED: { status: 409, retryable: false, message: 'Only failed or quarantined transmissions can be replayed.' },
});
