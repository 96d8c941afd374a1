import { defineErrors } from './catalogue.js';

/** Errors any part of the gateway may raise. */
export const commonErrors = defineErrors({
  INTERNAL: { status: 500, retryable: true, message: 'An internal error occurred; the request id identifies it in the logs.' },
  BAD_REQUEST: { status: 400, retryable: false, message: 'The request is malformed.' },
  NOT_FOUND: { status: 404, retryable: false, message: 'No such resource.' },
  ROUTE_NOT_FOUND: { status: 404, retryable: false, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, message: 'This method is not allowed on this route.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: 'This content type is not accepted here.' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'The request body is larger than the configured limit.' },
  BODY_MALFORMED: { status: 400, retryable: false, message: 'The request body cannot be read in its declared format.' },
  VALIDATION_FAILED: { status: 422, retryable: false, message: 'The input is well-formed but breaks one or more rules; see issues.' },
  CONFLICT: { status: 409, retryable: false, message: 'The resource is not in a state that allows this action.' },
  UNAUTHENTICATED: { status: 401, retryable: false, message: 'Authentication is required.' },
  FORBIDDEN: { status: 403, retryable: false, message: 'Your role does not allow this action.' },
  CONFIG_INVALID: { status: 500, retryable: false, message: 'The configuration is invalid.' },
  STORAGE_UNAVAILABLE: { status: 503, retryable: true, message: 'The database cannot be reached.' },
  STORAGE_CONFLICT: { status: 409, retryable: false, message: 'A record with the same key already exists.' },
  NOT_READY: { status: 503, retryable: true, message: 'The gateway is not ready.' },
});
