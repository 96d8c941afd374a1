import type Router from '@koa/router';
import { replay } from '../../../app/outbox/replay.js';
import { OutboxStore } from '../../storage/outbox.js';
import { requireRole, state, type HttpDeps } from '../context.js';

/**
 * POST /v1/transmissions/{id}/replay[?dryRun=true]: a failed transmission is sent again (same document), a
 * quarantined one is built again. The dry run answers what would happen.
 */
export const replayRoutes = (router: Router, deps: HttpDeps): void => {
  const outbox = new OutboxStore(deps.db);
  router.post('/v1/transmissions/:id/replay', requireRole(deps, 'admin', 'compliance'), async (ctx) => {
    const dryRun = ctx.query['dryRun'] === 'true' || ctx.query['dryRun'] === '1';
    const plans = await replay({ transmissions: deps.transmissions, outbox }, [ctx.params['id'] ?? ''], { dryRun, actor: `user:${state(ctx).principal?.tokenId ?? '?'}` });
    ctx.status = dryRun ? 200 : 202;
    ctx.body = { dryRun, plans };
  });
};
