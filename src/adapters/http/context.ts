import type { Context, Next } from 'koa';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import type { Db } from '../storage/db.js';
import type { GatewayMetrics } from '../metrics/registry.js';
import type { Principal, Role, TokenStore } from '../storage/tokens.js';
import type { TransmissionStore } from '../storage/transmissions.js';
import type { AuditInput } from '../storage/audit-store.js';
import type { Clock, Ids } from '../../app/ports.js';
import { GatewayError } from '../../core/errors/index.js';
import { clientCertPrincipal } from './client-cert.js';

/** What the HTTP layer is given by main.ts (or by a test). */
export interface HttpDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly metrics: GatewayMetrics;
  readonly tokens: TokenStore;
  readonly transmissions: TransmissionStore;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Appends an audit record outside any other change (auth denials, reads of patient data). */
  readonly audit: (input: AuditInput) => Promise<void>;
  /** Keyed hash standing for an INS in storage and the audit trail. */
  readonly subjectHash: (ins: string) => string;
  /** A report was stored (not a duplicate): the outbox of this process looks for it now, not at its next poll. */
  readonly workArrived?: () => void;
  /** Extra readiness checks (workers, simulators); storage is always checked. */
  readonly readiness?: () => Promise<readonly string[]>;
}

/** Per-request state set by the middleware. */
export interface RequestState {
  requestId: string;
  log: Logger;
  principal?: Principal;
  /** The route pattern, for metrics (never the raw URL, which may carry ids). */
  routeName?: string;
}

export const state = (ctx: Context): RequestState => ctx.state;

/**
 * Requires a bearer token of one of `roles` (admin always passes). 401 without a valid token, 403 with the
 * wrong role; both are audited.
 */
export const requireRole =
  (deps: Pick<HttpDeps, 'tokens' | 'audit' | 'config'>, ...roles: Role[]) =>
  async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    // A bearer token, or else (HTTPS only) a configured SIL client certificate.
    const principal = m?.[1] ? await deps.tokens.verify(m[1]) : clientCertPrincipal(ctx, deps.config.sil?.clientCertFingerprints ?? []);
    if (!principal) {
      await deps.audit({ type: 'auth.denied', actor: 'anonymous', outcome: 'failure', details: { method: ctx.method, route: ctx.path.replace(/[0-9a-f-]{36}/gi, ':id'), reason: header ? 'invalid token' : 'no token' } });
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new GatewayError('UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer …).');
    }
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      await deps.audit({ type: 'auth.denied', actor: `user:${principal.tokenId}`, outcome: 'failure', details: { method: ctx.method, route: ctx.path.replace(/[0-9a-f-]{36}/gi, ':id'), role: principal.role, required: roles } });
      throw new GatewayError('FORBIDDEN', `This action needs the role ${roles.join(' or ')}; your token has ${principal.role}.`);
    }
    state(ctx).principal = principal;
    await next();
  };
