import type Router from '@koa/router';
import { GatewayError } from '../../../core/errors/index.js';
import { loadCheckpointTrust } from '../../audit/checkpoints.js';
import { buildEvidencePack } from '../../audit/evidence.js';
import { requireRole, state, type HttpDeps } from '../context.js';
import { observerOf } from './audit.js';

/** GET /v1/transmissions/{id}/evidence — the evidence pack (zip) of one transmission; a read of patient data, audited. */
export const evidenceRoutes = (router: Router, deps: HttpDeps): void => {
  router.get('/v1/transmissions/:id/evidence', requireRole(deps, 'compliance'), async (ctx) => {
    const t = await deps.transmissions.get(ctx.params['id'] ?? '');
    if (!t) {
      throw new GatewayError('NOT_FOUND', 'No transmission with this id.');
    }
    const actor = `user:${state(ctx).principal?.tokenId ?? '?'}`;
    // Audited first, so the pack's own records include this read.
    await deps.audit({ type: 'user.read', actor, outcome: 'success', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), ...(t.documentUniqueId ? { documentUniqueId: t.documentUniqueId } : {}), details: { route: 'GET /v1/transmissions/:id/evidence' } });
    const zip = await buildEvidencePack(deps.db, t, { now: deps.clock.now(), requestedBy: actor, trust: loadCheckpointTrust(deps.config), observer: observerOf(deps) });
    ctx.type = 'application/zip';
    ctx.attachment(`evidence-${t.id}.zip`);
    ctx.body = zip;
  });
};
