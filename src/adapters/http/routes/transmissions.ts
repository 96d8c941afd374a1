import type Router from '@koa/router';
import { GatewayError } from '../../../core/errors/index.js';
import { isTransmissionState } from '../../../core/policy/states.js';
import type { Transmission } from '../../storage/transmissions.js';
import { requireRole, state, type HttpDeps } from '../context.js';

/** The public view of a transmission: its state and ids, never the report's patient data. */
export const transmissionView = (t: Transmission): Record<string, unknown> => ({
  id: t.id,
  status: t.status,
  accession: t.accession,
  setId: t.setId,
  versionNumber: t.versionNumber,
  documentUniqueId: t.documentUniqueId,
  attempts: t.attempts,
  nextAttemptAt: t.nextAttemptAt,
  lastErrorCode: t.lastErrorCode,
  lastError: t.lastError,
  issues: t.issues,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export const transmissionRoutes = (router: Router, deps: HttpDeps): void => {
  router.get('/v1/transmissions', requireRole(deps, 'compliance', 'identity'), async (ctx) => {
    const q = ctx.query;
    const one = (k: string): string | undefined => (typeof q[k] === 'string' ? q[k] : undefined);
    const issues = [];
    const status = one('status');
    if (status !== undefined && !isTransmissionState(status)) {
      issues.push({ severity: 'error' as const, code: 'BAD_REQUEST', path: 'status', message: `unknown state '${status}'` });
    }
    for (const k of ['since', 'until']) {
      const v = one(k);
      if (v !== undefined && !ISO.test(v)) {
        issues.push({ severity: 'error' as const, code: 'BAD_REQUEST', path: k, message: 'expected an ISO 8601 date or date-time' });
      }
    }
    const limit = one('limit');
    if (limit !== undefined && !/^\d{1,3}$/.test(limit)) {
      issues.push({ severity: 'error' as const, code: 'BAD_REQUEST', path: 'limit', message: 'expected a number from 1 to 500' });
    }
    if (issues.length) {
      throw new GatewayError('BAD_REQUEST', 'Invalid query parameters.', { issues });
    }
    const ins = one('ins');
    const page = await deps.transmissions.list({
      ...(status && isTransmissionState(status) ? { status } : {}),
      ...(ins ? { insHash: deps.subjectHash(ins) } : {}),
      ...(one('since') ? { since: one('since') } : {}),
      ...(one('until') ? { until: one('until') } : {}),
      ...(one('cursor') ? { cursor: one('cursor') } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
    if (ins) {
      await deps.audit({ type: 'user.read', actor: `user:${state(ctx).principal?.tokenId ?? '?'}`, outcome: 'success', subjectHash: deps.subjectHash(ins), details: { route: 'GET /v1/transmissions', count: page.items.length } });
    }
    ctx.body = { items: page.items.map(transmissionView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });

  router.get('/v1/transmissions/:id', requireRole(deps, 'compliance', 'identity'), async (ctx) => {
    const t = await deps.transmissions.get(ctx.params['id'] ?? '');
    if (!t) {
      throw new GatewayError('NOT_FOUND', 'No transmission with this id.');
    }
    await deps.audit({ type: 'user.read', actor: `user:${state(ctx).principal?.tokenId ?? '?'}`, outcome: 'success', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), details: { route: 'GET /v1/transmissions/:id' } });
    ctx.body = transmissionView(t);
  });
};
