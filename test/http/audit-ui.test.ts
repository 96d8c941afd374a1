/** The dashboard's audit page names the first bad record of a tampered trail; exports download. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';

describe('dashboard: audit page', () => {
  let t: TestDb;
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  before(async () => {
    t = await sqliteTestDb();
    const h = httpDeps(t.db);
    app = createApp(h.deps, routeModules);
    for (let i = 0; i < 5; i++) {
      await h.deps.audit({ type: 'transmission.state', actor: 'system:worker', outcome: 'info', transmissionId: `tx-${i}`, details: { i } });
    }
    const token = (await h.deps.tokens.create('compliance', 'DPO', 'tok-c', h.clock.now())).token;
    cookie = String((await request(app.callback()).post('/ui/login').type('form').send({ token })).headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  });
  after(() => t.dispose());

  it('intact, then altered at the edited record', async () => {
    let res = await request(app.callback()).get('/ui/audit').set('Cookie', cookie);
    assert.equal(res.status, 200);
    assert.match(res.text, /id="audit-status" class="ok">Piste d'audit intègre/);
    await t.db.execute("UPDATE audit_events SET actor = 'user:someone' WHERE seq = 3");
    res = await request(app.callback()).get('/ui/audit').set('Cookie', cookie);
    assert.match(res.text, /Piste d'audit ALTÉRÉE — premier enregistrement en cause : n° 3 \(hash_mismatch\)/);
  });

  it('exports from the dashboard are audited downloads', async () => {
    const res = await request(app.callback()).get('/ui/audit/export?format=csv').set('Cookie', cookie);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="audit\.csv"/);
    assert.match(res.text, /^seq,id,at,type/);
    const last = (await t.db.query("SELECT type, details FROM audit_events ORDER BY seq DESC LIMIT 1"))[0];
    assert.equal(last?.['type'], 'user.read');
    assert.match(String(last?.['details']), /GET \/ui\/audit\/export/);
  });
});
