import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type Router from '@koa/router';
import { createApp } from '../../src/adapters/http/app.js';
import { readBody, readJson } from '../../src/adapters/http/body.js';
import { requireRole, type HttpDeps } from '../../src/adapters/http/context.js';
import { transmissionRoutes } from '../../src/adapters/http/routes/transmissions.js';
import { GatewayError } from '../../src/core/errors/index.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';

/** Test routes exercising the error paths of the real middleware stack. */
const testRoutes = (router: Router, deps: HttpDeps): void => {
  router.get('/t/boom', () => {
    throw new Error('database password is hunter2 at /srv/secret/path.ts:12');
  });
  router.get('/t/invalid', () => {
    throw new GatewayError('VALIDATION_FAILED', 'Two problems.', {
      issues: [
        { severity: 'error', code: 'X1', path: 'PID[1].3', message: 'first' },
        { severity: 'warning', code: 'X2', path: 'OBX[2].5', message: 'second' },
      ],
    });
  });
  router.post('/t/echo', async (ctx) => {
    const body = await readBody(ctx, 1024);
    ctx.body = { bytes: body.length };
  });
  router.post('/t/json', async (ctx) => {
    ctx.body = { got: await readJson(ctx, 1024) };
  });
  router.get('/t/sil-only', requireRole(deps, 'sil'), (ctx) => {
    ctx.body = { ok: true };
  });
};

describe('HTTP app', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  let tokens: Record<string, string>;
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    app = createApp(h.deps, [transmissionRoutes, testRoutes]);
    tokens = {};
    for (const role of ['sil', 'identity', 'compliance', 'admin'] as const) {
      tokens[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
  });
  after(() => t.dispose());

  it('/healthz and /readyz (storage reachable)', async () => {
    await request(app.callback()).get('/healthz').expect(200, { status: 'ok' });
    const r = await request(app.callback()).get('/readyz').expect(200);
    assert.equal(r.body.storage, 'sqlite');
  });

  it('/metrics exposes process and gateway metrics in Prometheus format', async () => {
    await request(app.callback()).get('/healthz');
    const r = await request(app.callback()).get('/metrics').expect(200);
    assert.match(r.text, /process_cpu_user_seconds_total/);
    assert.match(r.text, /dmp_gateway_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\}/);
  });

  it('an unknown error gives a generic 500 with the request id and no internals; the log has the details', async () => {
    const r = await request(app.callback()).get('/t/boom').set('X-Request-Id', 'req-123').expect(500);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    assert.equal(r.body.code, 'INTERNAL');
    assert.equal(r.body.requestId, 'req-123');
    assert.equal(r.headers['x-request-id'], 'req-123');
    assert.ok(!r.text.includes('hunter2') && !r.text.includes('/srv/secret') && !r.text.includes('at '), `no internals: ${r.text}`);
    const logged = h.sink.parsed.find((l) => l['reqId'] === 'req-123' && l['msg'] === 'request failed');
    assert.ok(logged, 'the failure is logged with the request id');
  });

  it('a malformed incoming request id is replaced', async () => {
    const r = await request(app.callback()).get('/healthz').set('X-Request-Id', 'bad id {"x":1}').expect(200);
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('catalogue errors carry their status, code and every issue', async () => {
    const r = await request(app.callback()).get('/t/invalid').expect(422);
    assert.equal(r.body.code, 'VALIDATION_FAILED');
    assert.deepEqual(r.body.issues.map((i: { path: string }) => i.path), ['PID[1].3', 'OBX[2].5']);
  });

  it('an oversized body is refused with 413 problem+json', async () => {
    const r = await request(app.callback()).post('/t/echo').set('Content-Type', 'text/plain').send('x'.repeat(5000)).expect(413);
    assert.equal(r.body.code, 'PAYLOAD_TOO_LARGE');
    await request(app.callback()).post('/t/echo').set('Content-Type', 'text/plain').send('x'.repeat(100)).expect(200, { bytes: 100 });
  });

  it('malformed JSON is a 400 naming the problem', async () => {
    const r = await request(app.callback()).post('/t/json').set('Content-Type', 'application/json').send('{"a": ').expect(400);
    assert.equal(r.body.code, 'BODY_MALFORMED');
    assert.equal(r.body.issues[0].path, '$');
  });

  it('unknown routes and methods are problems too', async () => {
    assert.equal((await request(app.callback()).get('/nope').expect(404)).body.code, 'ROUTE_NOT_FOUND');
    assert.equal((await request(app.callback()).delete('/healthz').expect(405)).body.code, 'METHOD_NOT_ALLOWED');
  });

  it('401 without a token, 403 with the wrong role, both audited; admin passes', async () => {
    assert.equal((await request(app.callback()).get('/t/sil-only').expect(401)).body.code, 'UNAUTHENTICATED');
    assert.equal((await request(app.callback()).get('/t/sil-only').set('Authorization', 'Bearer nope').expect(401)).body.code, 'UNAUTHENTICATED');
    assert.equal((await request(app.callback()).get('/t/sil-only').set('Authorization', `Bearer ${tokens['compliance']}`).expect(403)).body.code, 'FORBIDDEN');
    await request(app.callback()).get('/t/sil-only').set('Authorization', `Bearer ${tokens['sil']}`).expect(200);
    await request(app.callback()).get('/t/sil-only').set('Authorization', `Bearer ${tokens['admin']}`).expect(200);
    const denied = await t.db.query<{ actor: string }>("SELECT actor FROM audit_events WHERE type = 'auth.denied' ORDER BY seq");
    assert.deepEqual(denied.map((d) => d.actor), ['anonymous', 'anonymous', 'user:tok-compliance']);
  });

  it('GET /v1/transmissions validates its query parameters', async () => {
    const r = await request(app.callback()).get('/v1/transmissions?status=lost&since=yesterday').set('Authorization', `Bearer ${tokens['compliance']}`).expect(400);
    assert.deepEqual(r.body.issues.map((i: { path: string }) => i.path).sort(), ['since', 'status']);
  });
});
