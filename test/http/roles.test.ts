/**
 * A role test for every route of the real app: the app is built from main.ts's `routeModules` (the list the
 * gateway serves), its routes are read from the router, and each one is checked against the table below —
 * without a token (401, audited), with each wrong role (403, audited) and with each right role (neither).
 * A route missing from the table fails the test: a new route must say who may call it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type Router from '@koa/router';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { ROLES, type Role } from '../../src/adapters/storage/tokens.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';

type Access = 'public' | 'session' | readonly Role[];

/** Who may call what (admin always may). `session`: dashboard pages, signed in with a cookie (test/http/roles-ui.test.ts). */
const ROUTE_ROLES: Readonly<Record<string, Access>> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'POST /v1/reports': ['sil'],
  'GET /v1/transmissions': ['compliance', 'identity'],
  'GET /v1/transmissions/:id': ['compliance', 'identity'],
  'POST /v1/transmissions/:id/replay': ['compliance'],
  'GET /v1/transmissions/:id/evidence': ['compliance'],
  'GET /v1/identity-holds': ['identity'],
  'GET /v1/identity-holds/:id': ['identity'],
  'POST /v1/identity-holds/:id/release': ['identity'],
  'POST /v1/identity-holds/:id/reject': ['identity'],
  'POST /v1/ins/checks': ['identity'],
  'GET /v1/ins/checks/:id': ['identity'],
  'GET /v1/audit': ['compliance'],
  'GET /v1/audit/verify': ['compliance'],
  'GET /v1/audit/export': ['compliance'],
  'POST /v1/audit/checkpoints': ['compliance'],
};

/** Dashboard pages: signed in with a cookie session (role from the token used to sign in; sil may not sign in). */
const UI_ROLES: Readonly<Record<string, 'public' | readonly Role[]>> = {
  'GET /ui/login': 'public',
  'POST /ui/login': 'public',
  'POST /ui/logout': ['compliance', 'identity'],
  'GET /ui/': ['compliance', 'identity'],
  'GET /ui/transmissions': ['compliance', 'identity'],
  'GET /ui/transmissions/:id': ['compliance', 'identity'],
  'GET /ui/transmissions/:id/evidence': ['compliance'],
  'GET /ui/holds': ['identity'],
  'GET /ui/holds/:id': ['identity'],
  'POST /ui/holds/:id/decision': ['identity'],
  'GET /ui/audit': ['compliance'],
  'GET /ui/audit/export': ['compliance'],
};

interface Layer {
  readonly path: string;
  readonly methods: readonly string[];
}

/** The routes a Koa app built by createApp serves, read from its @koa/router. */
const routesOf = (app: ReturnType<typeof createApp>): string[] => {
  const routers = app.middleware.flatMap((m) => {
    const r = (m as { router?: Router }).router;
    return r ? [r] : [];
  });
  const out = new Set<string>();
  for (const r of routers) {
    for (const layer of r.stack as unknown as Layer[]) {
      for (const method of layer.methods) {
        if (method !== 'HEAD') {
          out.add(`${method} ${layer.path}`);
        }
      }
    }
  }
  return [...out].sort();
};

const sample = (path: string): string => path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-00000000abcd');

describe('roles: every route of the real app', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  let routes: string[];
  const tok = {} as Record<Role, string>;
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    app = createApp(h.deps, routeModules);
    routes = routesOf(app);
    for (const role of ROLES) {
      tok[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
  });
  after(() => t.dispose());

  it('the router is found and lists the API', () => {
    assert.ok(routes.includes('GET /v1/audit/verify'), routes.join('\n'));
    assert.ok(routes.includes('GET /v1/transmissions/:id'));
  });

  it('every route says who may call it', () => {
    const missing = routes.filter((r) => !(r in ROUTE_ROLES) && !(r in UI_ROLES));
    assert.deepEqual(missing, [], `add these routes to ROUTE_ROLES in test/http/roles.test.ts: ${missing.join(', ')}`);
  });

  it('no token: 401 on every non-public API route, and each refusal is audited', async () => {
    for (const r of routes) {
      const access = ROUTE_ROLES[r];
      if (access === undefined || access === 'public' || access === 'session') {
        continue;
      }
      const [method, path] = r.split(' ') as [string, string];
      const before = await t.db.query("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'auth.denied' AND actor = 'anonymous'");
      const res = await request(app.callback())[method.toLowerCase() as 'get'](sample(path));
      assert.equal(res.status, 401, `${r} without a token`);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      const afterN = await t.db.query("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'auth.denied' AND actor = 'anonymous'");
      assert.equal(Number(afterN[0]?.['n']), Number(before[0]?.['n']) + 1, `${r}: the refusal is audited`);
      const bad = await request(app.callback())[method.toLowerCase() as 'get'](sample(path)).set('Authorization', 'Bearer dgw_admin_not-a-real-token');
      assert.equal(bad.status, 401, `${r} with an unknown token`);
    }
  });

  it('wrong role: 403 (audited with the role); right role and admin: through', async () => {
    for (const r of routes) {
      const access = ROUTE_ROLES[r];
      if (access === undefined || access === 'session') {
        continue;
      }
      const [method, path] = r.split(' ') as [string, string];
      for (const role of ROLES) {
        const res = await request(app.callback())[method.toLowerCase() as 'get'](sample(path)).set('Authorization', `Bearer ${tok[role]}`);
        if (access === 'public' || role === 'admin' || access.includes(role)) {
          assert.ok(res.status !== 401 && res.status !== 403, `${r} as ${role}: got ${res.status}`);
        } else {
          assert.equal(res.status, 403, `${r} as ${role}`);
          const last = (await t.db.query("SELECT actor, details FROM audit_events WHERE type = 'auth.denied' ORDER BY seq DESC LIMIT 1"))[0];
          assert.equal(last?.['actor'], `user:tok-${role}`, `${r} as ${role}: audited`);
          assert.equal((JSON.parse(String(last?.['details'])) as { role: string }).role, role);
        }
      }
    }
  });

  /** Signs in to the dashboard with a role's token; returns the cookie and the CSRF token of the session. */
  const signIn = async (role: Role): Promise<{ cookie: string; csrf: string }> => {
    const res = await request(app.callback()).post('/ui/login').type('form').send({ token: tok[role] });
    assert.equal(res.status, 302, `sign-in as ${role}`);
    const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const page = await request(app.callback()).get('/ui/').set('Cookie', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    assert.ok(csrf, 'the page carries the CSRF token');
    return { cookie, csrf };
  };

  it('dashboard: without a session, pages go to sign-in and forms are refused (audited)', async () => {
    for (const r of routes.filter((x) => x in UI_ROLES && UI_ROLES[x] !== 'public')) {
      const [method, path] = r.split(' ') as [string, string];
      if (method === 'GET') {
        const res = await request(app.callback()).get(sample(path));
        assert.equal(res.status, 302, r);
        assert.equal(res.headers['location'], '/ui/login', r);
      } else {
        const res = await request(app.callback()).post(sample(path)).type('form').send({});
        assert.equal(res.status, 401, r);
        const last = (await t.db.query("SELECT actor FROM audit_events WHERE type = 'auth.denied' ORDER BY seq DESC LIMIT 1"))[0];
        assert.equal(last?.['actor'], 'anonymous');
      }
    }
  });

  it('dashboard: a sil token cannot sign in; an unknown token neither', async () => {
    assert.equal((await request(app.callback()).post('/ui/login').type('form').send({ token: tok.sil })).status, 403);
    assert.equal((await request(app.callback()).post('/ui/login').type('form').send({ token: 'dgw_admin_nope' })).status, 401);
  });

  it('dashboard: every page, for every role that can sign in — 403 (audited) or through', async () => {
    for (const role of ROLES.filter((x) => x !== 'sil')) {
      const { cookie, csrf } = await signIn(role);
      for (const r of routes.filter((x) => x in UI_ROLES && UI_ROLES[x] !== 'public' && x !== 'POST /ui/logout')) {
        const access = UI_ROLES[r] as readonly Role[];
        const [method, path] = r.split(' ') as [string, string];
        const res =
          method === 'GET'
            ? await request(app.callback()).get(sample(path)).set('Cookie', cookie)
            : await request(app.callback()).post(sample(path)).set('Cookie', cookie).type('form').send({ _csrf: csrf });
        if (role === 'admin' || access.includes(role)) {
          assert.ok(res.status !== 401 && res.status !== 403 && !(res.status === 302 && res.headers['location'] === '/ui/login'), `${r} as ${role}: got ${res.status}`);
        } else {
          assert.equal(res.status, 403, `${r} as ${role}`);
          const last = (await t.db.query("SELECT actor FROM audit_events WHERE type = 'auth.denied' ORDER BY seq DESC LIMIT 1"))[0];
          assert.equal(last?.['actor'], `user:tok-${role}`, `${r} as ${role}: audited`);
        }
      }
    }
  });

  it('dashboard: a form without the session CSRF token is refused; sign-out ends the session', async () => {
    const { cookie, csrf } = await signIn('identity');
    const forged = await request(app.callback()).post(`/ui/holds/${sample(':id')}/decision`).set('Cookie', cookie).type('form').send({ decision: 'reject', reasonCode: 'OTHER' });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'UI_CSRF_INVALID');
    const out = await request(app.callback()).post('/ui/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    assert.equal(out.status, 302);
    const after = await request(app.callback()).get('/ui/').set('Cookie', cookie);
    assert.equal(after.headers['location'], '/ui/login', 'the old cookie no longer works');
  });
});
