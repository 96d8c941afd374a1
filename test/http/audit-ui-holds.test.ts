/** The dashboard's hold page puts the SIL's traits beside the INS traits on record, and marks the ones that differ. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { sampleReport } from '../helpers/reports.js';

const INS = '279035121518989';

describe('dashboard: identity hold page', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  let held: string;
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    app = createApp(h.deps, routeModules);
    // INSi said: first names DOMINIQUE MARIE-LOUISE; the SIL sent DOMINIQUE MARIE.
    await t.db.execute('INSERT INTO ins_traits (ins_hash, oid, traits_json, source, answered_at) VALUES (?, ?, ?, ?, ?)', [h.deps.subjectHash(INS), '1.2.250.1.213.1.4.10', JSON.stringify({ birthName: 'PAT-TROIS', birthGivenNames: 'DOMINIQUE MARIE-LOUISE', sex: 'F', birthDate: '1979-03-28', birthPlaceCog: '51215' }), 'insi', '2026-02-01T10:00:00.000Z']);
    const report = sampleReport({}, { birthGivenNames: 'DOMINIQUE MARIE' });
    held = (await h.deps.transmissions.receive({ id: 'in-1', sender: 'SIL', messageId: 'M1', contentType: 'application/hl7-v2', raw: Buffer.from('MSH|') }, [{ id: 'tx-1', reportIndex: 0, accession: 'A1', insHash: h.deps.subjectHash(INS), reportJson: JSON.stringify(report) }], { actor: 'sil:SIL' })).transmissions[0]?.id ?? '';
    await h.deps.transmissions.transition(held, ['received'], 'identity_hold', { issues: [{ severity: 'warning', code: 'TRAIT_BIRTH_GIVEN_NAMES_DIFFER', path: 'PID[1].5.2', message: 'first names differ from the INS traits on record' }] }, { type: 'transmission.state', actor: 'system:worker', outcome: 'failure' });
    const token = (await h.deps.tokens.create('identity', 'Mme Vigilance', 'tok-i', h.clock.now())).token;
    cookie = String((await request(app.callback()).post('/ui/login').type('form').send({ token })).headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  });
  after(() => t.dispose());

  it('shows reasons, both sets of traits side by side, the differing ones marked', async () => {
    const res = await request(app.callback()).get(`/ui/holds/${held}`).set('Cookie', cookie);
    assert.equal(res.status, 200);
    assert.match(res.text, /TRAIT_BIRTH_GIVEN_NAMES_DIFFER/);
    const row = (label: string): string => new RegExp(`<tr[^>]*><th>${label}</th>.*?</tr>`).exec(res.text)?.[0] ?? '';
    const given = row('Prénoms de naissance');
    assert.match(given, /class="diff"/);
    assert.match(given, /<td>DOMINIQUE MARIE<\/td><td>DOMINIQUE MARIE-LOUISE<\/td>/);
    const name = row('Nom de naissance');
    assert.doesNotMatch(name, /class="diff"/);
    assert.match(name, /<td>PAT-TROIS<\/td><td>PAT-TROIS<\/td>/);
    assert.match(res.text, /lang="fr"/);
  });

  it('the page escapes what it shows', async () => {
    await t.db.execute('UPDATE transmissions SET accession = ? WHERE id = ?', ['<script>alert(1)</script>', held]);
    const res = await request(app.callback()).get(`/ui/holds/${held}`).set('Cookie', cookie);
    assert.ok(!res.text.includes('<script>alert(1)</script>'));
    assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  });

  it('release and reject go through the identity-holds API: a refused release is shown, a reject is done', async () => {
    await t.db.execute('UPDATE transmissions SET issues_json = ? WHERE id = ?', [JSON.stringify([{ severity: 'error', code: 'INS_STATUS_NOT_QUAL', path: 'PID[1].32', message: 'status PROV' }]), held]);
    const page = await request(app.callback()).get(`/ui/holds/${held}`).set('Cookie', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const refused = await request(app.callback()).post(`/ui/holds/${held}/decision`).set('Cookie', cookie).type('form').send({ _csrf: csrf, decision: 'release', confirmed: 'yes' });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /role="alert">La décision n&#39;a pas été enregistrée : This hold has errors that a confirmation cannot lift/);
    assert.equal((await t.db.query<{ status: string }>('SELECT status FROM transmissions WHERE id = ?', [held]))[0]?.status, 'identity_hold');
    const rejected = await request(app.callback()).post(`/ui/holds/${held}/decision`).set('Cookie', cookie).type('form').send({ _csrf: csrf, decision: 'reject', reasonCode: 'WRONG_PATIENT' });
    assert.equal(rejected.status, 302);
    assert.equal(rejected.headers['location'], '/ui/holds?done=reject');
    assert.equal((await t.db.query<{ status: string }>('SELECT status FROM transmissions WHERE id = ?', [held]))[0]?.status, 'rejected');
    const rec = (await t.db.query("SELECT actor, details FROM audit_events WHERE type = 'identity.hold.rejected'"))[0];
    assert.equal(rec?.['actor'], 'user:tok-i', 'the decision is audited under the signed-in user');
    assert.match(String(rec?.['details']), /WRONG_PATIENT/);
  });
});
