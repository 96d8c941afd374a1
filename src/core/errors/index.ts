import type { ErrorDefinition, ErrorTable } from './catalogue.js';
import { commonErrors } from './common.js';
import { identityErrors } from './identity.js';
import { intakeErrors } from './intake.js';
import { deliveryErrors } from './delivery.js';
import { outboxErrors } from './outbox.js';
import { auditErrors } from './audit.js';
import { documentErrors } from './document.js';
import { receiptErrors } from './receipt.js';
import type { Issue } from '../validation/issue.js';

/**
 * All tables of the catalogue. A domain adds its table here; `test/unit/errors.test.ts` checks that
 * codes are unique, upper snake case, and documented in docs/errors.md.
 */
export const catalogueParts: readonly ErrorTable[] = [commonErrors, identityErrors, intakeErrors, deliveryErrors, outboxErrors, auditErrors, documentErrors, receiptErrors];

const merged: Record<string, ErrorDefinition> = {};
for (const part of catalogueParts) {
  for (const [code, def] of Object.entries(part)) {
    merged[code] = def;
  }
}
export const errorCatalogue: Readonly<Record<string, ErrorDefinition>> = Object.freeze(merged);

export type ErrorCode = keyof typeof commonErrors | (string & {});

/**
 * The one error type the gateway throws on purpose. Anything else reaching an edge is a bug and is
 * answered with a generic INTERNAL error (no internals leak).
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message?: string, options: { issues?: readonly Issue[]; cause?: unknown } = {}) {
    const def = errorCatalogue[code] ?? errorCatalogue['INTERNAL'];
    super(message ?? def?.message ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = errorCatalogue[code] ? code : 'INTERNAL';
    this.status = def?.status ?? 500;
    this.retryable = def?.retryable ?? false;
    this.issues = options.issues ?? [];
  }
}

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;

export const errorDefinition = (code: string): ErrorDefinition | undefined => errorCatalogue[code];
