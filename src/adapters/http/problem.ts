import type { Issue } from '../../core/validation/issue.js';
import { errorCatalogue, GatewayError, isGatewayError } from '../../core/errors/index.js';

/** RFC 9457 problem details, with the gateway's stable code and the full issue list. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly retryable: boolean;
  readonly requestId: string;
  readonly issues: readonly Issue[];
}

export const toProblem = (err: unknown, requestId: string): Problem => {
  const e = isGatewayError(err) ? err : new GatewayError('INTERNAL');
  const def = errorCatalogue[e.code];
  return {
    type: `urn:dmp-gateway:error:${e.code}`,
    title: def?.message ?? e.code,
    status: e.status,
    code: e.code,
    // Unknown errors never show their message: it may hold internals.
    detail: isGatewayError(err) ? e.message : `${def?.message ?? 'Internal error.'}`,
    retryable: e.retryable,
    requestId,
    issues: e.issues.length ? e.issues : [{ severity: 'error', code: e.code, path: '', message: isGatewayError(err) ? e.message : (def?.message ?? '') }],
  };
};
