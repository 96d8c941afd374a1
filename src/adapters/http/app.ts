import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { GatewayError, isGatewayError } from '../../core/errors/index.js';
import { toProblem } from './problem.js';
import { state, type HttpDeps } from './context.js';

/** A module of routes: each area (reports, identity, audit, …) registers its own. */
export type RouteModule = (router: Router, deps: HttpDeps) => void;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The Koa application: request ids, one child logger per request, metrics, one error mapping to
 * application/problem+json, health and metrics routes, then each route module. No socket: tests call
 * `app.callback()`.
 */
export function createApp(deps: HttpDeps, modules: readonly RouteModule[] = []): Koa {
  const app = new Koa({ proxy: deps.config.http.trustProxy });
  app.silent = true;

  // Request id and per-request logger. An incoming X-Request-Id is used only if it is well-formed.
  app.use(async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : deps.ids.uuid();
    const s = state(ctx);
    s.requestId = requestId;
    s.log = deps.logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = s.routeName ?? (ctx.status === 404 ? 'unmatched' : ctx.path.startsWith('/ui') ? '/ui' : 'unmatched');
      deps.metrics.httpRequests.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      s.log.info({ method: ctx.method, route, statusCode: ctx.status, responseTime: Math.round(seconds * 1000) }, 'request');
    }
  });

  // Errors: catalogue errors become their problem; anything else is logged and answered with INTERNAL.
  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new GatewayError('ROUTE_NOT_FOUND', `No route ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const s = state(ctx);
      if (!isGatewayError(err) || err.status >= 500) {
        s.log.error({ err }, 'request failed');
      }
      const problem = toProblem(err, s.requestId);
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = problem;
    }
  });

  const router = new Router();
  router.get('/healthz', (ctx) => {
    state(ctx).routeName = '/healthz';
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    state(ctx).routeName = '/readyz';
    const problems: string[] = [];
    try {
      await deps.db.ping();
    } catch {
      problems.push('storage unreachable');
    }
    if (deps.readiness) {
      problems.push(...(await deps.readiness()));
    }
    if (problems.length) {
      throw new GatewayError('NOT_READY', `Not ready: ${problems.join('; ')}.`);
    }
    ctx.body = { status: 'ready', storage: deps.db.engine };
  });
  router.get('/metrics', async (ctx) => {
    state(ctx).routeName = '/metrics';
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  for (const m of modules) {
    m(router, deps);
  }
  // Route names for metrics and logs come from the matched layer, never from the raw URL.
  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
      if (matched) {
        state(ctx).routeName ??= String(matched);
      }
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true, methodNotAllowed: () => new GatewayError('METHOD_NOT_ALLOWED'), notImplemented: () => new GatewayError('METHOD_NOT_ALLOWED') }));
  return app;
}
