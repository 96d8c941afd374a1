import { defineErrors } from './catalogue.js';

/**
 * Delivery to the DMP (issue 6): building the submission, signing, transport, and the DMP's answers.
 * `retryable` decides between retry_wait (true) and rejected/failed (false). A send with no answer is
 * `uncertain` (DMP_NO_ANSWER): reconcile with ITI-18 before any resend.
 */
export const deliveryErrors = defineErrors({
  DMP_PATIENT_OPPOSED: { status: 409, retryable: false, message: 'The patient opposed feeding the DMP; nothing was sent.' },
  DMP_NOT_CONFIGURED: { status: 500, retryable: false, message: 'The DMP route is not configured (endpoint, certificates or structure settings missing).' },
  DMP_CERTIFICATE_UNUSABLE: { status: 500, retryable: false, message: 'A structure certificate (PKCS#12) cannot be read, has no key, or is expired.' },
  DMP_METADATA_INVALID: { status: 422, retryable: false, message: 'The XDS metadata cannot be built from the document; see issues.' },
  DMP_SIGNATURE_FAILED: { status: 500, retryable: false, message: 'The VIHF or the submission-set signature could not be made.' },
  DMP_UNREACHABLE: { status: 503, retryable: true, message: 'The DMP could not be reached; nothing was sent.' },
  DMP_TLS_FAILED: { status: 502, retryable: false, message: 'The TLS handshake with the DMP failed (server certificate not trusted, or client certificate refused).' },
  DMP_NO_ANSWER: { status: 504, retryable: false, message: 'The request was sent but no answer came (timeout or connection lost): the outcome is unknown; reconcile before resending.' },
  DMP_BUSY: { status: 503, retryable: true, message: 'The DMP is busy or unavailable (HTTP 503, XDSRegistryBusy, XDSRegistryNotAvailable…); try again later.' },
  DMP_SERVER_ERROR: { status: 502, retryable: true, message: 'The DMP reported an internal error (HTTP 5xx, SOAP Receiver fault, XDSRegistryError, XDSRepositoryError).' },
  DMP_HTTP_ERROR: { status: 502, retryable: false, message: 'The DMP answered with an HTTP error that is not a SOAP answer.' },
  DMP_ANSWER_UNREADABLE: { status: 502, retryable: false, message: 'The DMP answer cannot be read as a SOAP RegistryResponse; the outcome is unknown.' },
  DMP_SECURITY_REJECTED: { status: 502, retryable: false, message: 'The DMP refused the security header (VIHF assertion, its signature or attributes).' },
  DMP_SOAP_FAULT: { status: 502, retryable: false, message: 'The DMP answered with a SOAP Sender fault.' },
  DMP_METADATA_REJECTED: { status: 422, retryable: false, message: 'The DMP rejected the XDS metadata or the document (XDSRegistryMetadataError, XDSRepositoryMetadataError, XDSMissingDocument…).' },
  DMP_HASH_MISMATCH: { status: 422, retryable: false, message: 'The DMP computed another hash or size for the document (XDSNonIdenticalHash).' },
  DMP_UNKNOWN_PATIENT: { status: 422, retryable: false, message: 'The DMP does not know this patient or the patient has no open DMP (XDSUnknownPatientId).' },
  DMP_PATIENT_ID_MISMATCH: { status: 422, retryable: false, message: 'The patient ids of the submission disagree (XDSPatientIdDoesNotMatch).' },
  DMP_DUPLICATE_DOCUMENT: { status: 409, retryable: false, message: 'The DMP already holds a document with this uniqueId (XDSDuplicateUniqueIdInRegistry).' },
  DMP_REPLACED_DOCUMENT_DEPRECATED: { status: 409, retryable: false, message: 'The document to replace is already deprecated (XDSRegistryDeprecatedDocumentError).' },
  DMP_REPLACED_DOCUMENT_UNKNOWN: { status: 409, retryable: false, message: 'The document to replace is not in the DMP (RPLC target not found).' },
  DMP_REJECTED: { status: 422, retryable: false, message: 'The DMP rejected the submission with an error the gateway does not classify more finely; see the stored answer.' },
});
