import { defineErrors } from './catalogue.js';

/** Errors of the INS identity engine, the INSi client and the identity holds (issue 4). */
export const identityErrors = defineErrors({
  INS_INVALID: { status: 422, retryable: false, message: 'The matricule INS or its OID does not pass the checks; see issues.' },
  INS_CHECK_INPUT_INVALID: { status: 422, retryable: false, message: 'The identities to check cannot be read; see issues.' },
  IDENTITY_NOT_QUERYABLE: { status: 422, retryable: false, message: 'This identity may not be sent to INSi (flagged doubtful or fictitious, or strict traits missing).' },
  IDENTITY_HOLD_NOT_FOUND: { status: 404, retryable: false, message: 'No such identity hold.' },
  IDENTITY_HOLD_NOT_PENDING: { status: 409, retryable: false, message: 'This identity hold was already released or rejected.' },
  IDENTITY_HOLD_REJECTED: { status: 409, retryable: false, message: 'Identity-vigilance staff rejected this held report; it will not be sent.' },
  IDENTITY_STILL_NOT_QUALIFIED: { status: 409, retryable: false, message: 'The identity given to release the hold is still not qualified or not consistent; see issues.' },
  INSI_NOT_CONFIGURED: { status: 503, retryable: false, message: 'The INSi endpoint or client certificate is not configured.' },
  INSI_UNAVAILABLE: { status: 503, retryable: true, message: 'The INSi teleservice cannot be reached.' },
  INSI_TIMEOUT: { status: 504, retryable: true, message: 'The INSi teleservice did not answer in time.' },
  INSI_TLS_FAILED: { status: 502, retryable: false, message: 'The TLS handshake with INSi failed (certificate refused or untrusted).' },
  INSI_ACCESS_DENIED: { status: 502, retryable: false, message: 'INSi refused the access level (DESIR_560): the client certificate CN must be INSI-AUTO or INSI-MANU.' },
  INSI_SOFTWARE_UNKNOWN: { status: 502, retryable: false, message: 'INSi does not know the software authorisation number (desir_550): check the IDAM setting.' },
  INSI_FAULT: { status: 502, retryable: false, message: 'INSi answered with a SOAP fault; see the fault code.' },
  INSI_RESPONSE_INVALID: { status: 502, retryable: true, message: 'The INSi answer cannot be read.' },
});
