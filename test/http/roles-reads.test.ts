/**
 * Every read of patient data by a user is itself audited: for each route that shows a patient's data (API and
 * dashboard), the request appends a user.read record naming the user and the patient's keyed hash.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { sampleReport } from '../helpers/reports.js';

const INS = '279035121518989';

describe('reads of patient data are audited', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  let tx: string;
  let held: string;
  const tok: Record<string, string> = {};
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    app = createApp(h.deps, routeModules);
    for (const role of ['identity', 'compliance'] as const) {
      tok[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
    const ins = h.deps.subjectHash(INS);
    const receive = async (n: number): Promise<string> =>
      (await h.deps.transmissions.receive({ id: `in-${n}`, sender: 'SIL', messageId: `M${n}`, contentType: 'application/hl7-v2', raw: Buffer.from('MSH|') }, [{ id: `tx-${n}`, reportIndex: 0, accession: `A${n}`, insHash: ins, reportJson: JSON.stringify(sampleReport()) }], { actor: 'sil:SIL' })).transmissions[0]?.id ?? '';
    tx = await receive(1);
    held = await receive(2);
    await h.deps.transmissions.transition(held, ['received'], 'identity_hold', { issues: [{ severity: 'warning', code: 'TRAIT_X', path: 'PID[1].5', message: 'differs' }] }, { type: 'transmission.state', actor: 'system:worker', outcome: 'failure' });
  });
  after(() => t.dispose());

  const uiCookie = async (role: string): Promise<string> => {
    const res = await request(app.callback()).post('/ui/login').type('form').send({ token: tok[role] });
    return String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  };

  it('API and dashboard routes that show a patient write a user.read with the keyed hash', async () => {
    const reads: [string, string, () => Promise<{ status: number }>][] = [
      ['GET /v1/transmissions/:id', 'compliance', () => request(app.callback()).get(`/v1/transmissions/${tx}`).set('Authorization', `Bearer ${tok['compliance']}`)],
      ['GET /v1/transmissions?ins=', 'identity', () => request(app.callback()).get(`/v1/transmissions?ins=${INS}`).set('Authorization', `Bearer ${tok['identity']}`)],
      ['GET /v1/transmissions/:id/evidence', 'compliance', () => request(app.callback()).get(`/v1/transmissions/${tx}/evidence`).set('Authorization', `Bearer ${tok['compliance']}`)],
      ['GET /v1/audit?ins=', 'compliance', () => request(app.callback()).get(`/v1/audit?ins=${INS}`).set('Authorization', `Bearer ${tok['compliance']}`)],
      ['GET /v1/audit/export?ins=', 'compliance', () => request(app.callback()).get(`/v1/audit/export?format=jsonl&ins=${INS}`).set('Authorization', `Bearer ${tok['compliance']}`)],
      ['GET /ui/transmissions/:id', 'compliance', async () => request(app.callback()).get(`/ui/transmissions/${tx}`).set('Cookie', await uiCookie('compliance'))],
      ['GET /ui/transmissions?ins=', 'identity', async () => request(app.callback()).get(`/ui/transmissions?ins=${INS}`).set('Cookie', await uiCookie('identity'))],
      ['GET /ui/transmissions/:id/evidence', 'compliance', async () => request(app.callback()).get(`/ui/transmissions/${tx}/evidence`).set('Cookie', await uiCookie('compliance'))],
      ['GET /ui/holds/:id', 'identity', async () => request(app.callback()).get(`/ui/holds/${held}`).set('Cookie', await uiCookie('identity'))],
    ];
    for (const [name, role, call] of reads) {
      const before = Number((await t.db.query<{ n: number }>("SELECT MAX(seq) AS n FROM audit_events"))[0]?.n ?? 0);
      const res = await call();
      assert.equal(res.status, 200, name);
      const rows = await t.db.query("SELECT actor, subject_hash FROM audit_events WHERE type = 'user.read' AND seq > ?", [before]);
      assert.equal(rows.length, 1, `${name}: one user.read`);
      assert.equal(rows[0]?.['actor'], `user:tok-${role}`, name);
      assert.equal(rows[0]?.['subject_hash'], h.deps.subjectHash(INS), name);
    }
  });
});
