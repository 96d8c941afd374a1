import { defineErrors } from './catalogue.js';

/** Audit trail, evidence packs and dashboard errors (issue 8). */
export const auditErrors = defineErrors({
  AUDIT_NO_SIGNATURE_CERTIFICATE: { status: 503, retryable: false, message: "No usable structure signature certificate: audit checkpoints cannot be signed." },
  UI_CSRF_INVALID: { status: 403, retryable: false, message: 'The dashboard form is stale or did not come from the dashboard: reload the page and try again.' },
});
