/**
 * GET /v1/identity-holds, GET /v1/identity-holds/{id}, POST /v1/identity-holds/{id}/release, POST /v1/identity-holds/{id}/reject (issue 4).
 * Release body: {"identity": {…corrected qualified identity…}} or {"confirm": {"codes": ["TRAIT_…"]}}.
 * Reject body: {"reasonCode": "WRONG_PATIENT" | "DUPLICATE" | "NOT_FOR_DMP" | "OTHER"}.
 * Responses never carry the patient's traits; the decisions are audited by the use case.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { GatewayError } from '../../../core/errors/index.js';
import { holdView, listHolds, parseIdentity, rejectHold, releaseHold } from '../../../app/identity-holds.js';
import { readJson } from '../body.js';
import { requireRole, state, type HttpDeps } from '../context.js';

export const REJECT_REASONS = ['WRONG_PATIENT', 'DUPLICATE', 'NOT_FOR_DMP', 'OTHER'] as const;

const asObject = (v: unknown): Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GatewayError('BAD_REQUEST', 'The body must be a JSON object.');
  }
  return v as Record<string, unknown>;
};

export const identityHoldRoutes = (router: Router, deps: HttpDeps): void => {
  const holdDeps = { transmissions: deps.transmissions, clock: deps.clock, acceptedOids: deps.config.ins.acceptedOids, requireEvidence: deps.config.ins.requireEvidence ?? false, audit: deps.audit, subjectHash: deps.subjectHash };
  const actorOf = (ctx: Context): string => `user:${state(ctx).principal?.tokenId ?? '?'}`;

  router.get('/v1/identity-holds', requireRole(deps, 'identity'), async (ctx) => {
    const limit = typeof ctx.query['limit'] === 'string' ? ctx.query['limit'] : undefined;
    if (limit !== undefined && !/^\d{1,3}$/.test(limit)) {
      throw new GatewayError('BAD_REQUEST', 'limit must be a number from 1 to 500.', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: 'limit', message: 'expected a number from 1 to 500' }] });
    }
    const cursor = typeof ctx.query['cursor'] === 'string' ? ctx.query['cursor'] : undefined;
    ctx.body = await listHolds(holdDeps, { ...(cursor ? { cursor } : {}), ...(limit ? { limit: Number(limit) } : {}) });
  });

  router.get('/v1/identity-holds/:id', requireRole(deps, 'identity'), async (ctx) => {
    const t = await deps.transmissions.get(ctx.params['id'] ?? '');
    if (!t || t.status !== 'identity_hold') {
      throw new GatewayError('IDENTITY_HOLD_NOT_FOUND', t ? `This report is ${t.status}, not held for identity.` : 'No identity hold with this id.');
    }
    ctx.body = holdView(t);
  });

  router.post('/v1/identity-holds/:id/release', requireRole(deps, 'identity'), async (ctx) => {
    const body = asObject(await readJson(ctx, deps.config.http.bodyLimitBytes));
    const id = ctx.params['id'] ?? '';
    let t;
    if (body['identity'] !== undefined) {
      const { identity, issues } = parseIdentity(body['identity']);
      if (!identity) {
        throw new GatewayError('VALIDATION_FAILED', 'The corrected identity is not valid.', { issues });
      }
      t = await releaseHold(holdDeps, id, { kind: 'corrected_identity', identity }, actorOf(ctx));
    } else if (body['confirm'] !== undefined) {
      const codes = asObject(body['confirm'])['codes'];
      if (!Array.isArray(codes) || !codes.every((c): c is string => typeof c === 'string')) {
        throw new GatewayError('BAD_REQUEST', 'confirm.codes must be a list of reason codes.');
      }
      t = await releaseHold(holdDeps, id, { kind: 'staff_confirmation', confirmedCodes: codes }, actorOf(ctx));
    } else {
      throw new GatewayError('BAD_REQUEST', 'Give either "identity" (the corrected qualified identity) or "confirm": {"codes": [...]}.');
    }
    ctx.body = { id: t.id, status: t.status };
  });

  router.post('/v1/identity-holds/:id/reject', requireRole(deps, 'identity'), async (ctx) => {
    const body = asObject(await readJson(ctx, deps.config.http.bodyLimitBytes));
    const reason = body['reasonCode'];
    if (typeof reason !== 'string' || !(REJECT_REASONS as readonly string[]).includes(reason)) {
      throw new GatewayError('BAD_REQUEST', `reasonCode must be one of ${REJECT_REASONS.join(', ')}.`);
    }
    const t = await rejectHold(holdDeps, ctx.params['id'] ?? '', reason, actorOf(ctx));
    ctx.body = { ...holdView(t), status: t.status };
  });
};
