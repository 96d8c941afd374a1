import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { insCheckRoutes } from '../../src/adapters/http/routes/ins-checks.js';
import { InsiClient } from '../../src/adapters/insi/client.js';
import { loadInsiCredentials } from '../../src/adapters/insi/credentials.js';
import { startInsiSimulator, type InsiSimulator } from '../../conformance/insi/simulator.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import { FixedClock, sequentialIds } from '../helpers/clock.js';
import type Koa from 'koa';

describe('POST /v1/ins/checks (against the INSi simulator over mTLS)', () => {
  let t: TestDb;
  let sim: InsiSimulator;
  let app: Koa;
  let h: ReturnType<typeof httpDeps>;
  const tokens: Record<string, string> = {};

  before(async () => {
    const pki = testPki();
    sim = await startInsiSimulator({ cert: pki.entities.insiServer.cert, key: pki.entities.insiServer.key, clientCa: pki.caBundle, knownIdams: ['IDAM-T'] });
    const client = new InsiClient({
      endpoint: sim.url,
      credentials: loadInsiCredentials(readFileSync(pki.entities.insiClient.p12Path), TEST_PKI_PASSPHRASE),
      trust: pki.caBundle,
      lps: { idam: 'IDAM-T', softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: 'test' },
      timeoutMs: 10_000,
      clock: new FixedClock(),
      ids: sequentialIds('11111111-0000-4000-8000-'),
    });
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    for (const role of ['identity', 'sil'] as const) {
      tokens[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
    app = createApp(h.deps, [insCheckRoutes(() => Promise.resolve(client))]);
  });
  after(async () => {
    await sim.close();
    await t.dispose();
  });

  it('checks a JSON batch: RECUP possible, QUAL possible, not found, several found, mismatch, not queried', async () => {
    const body = [
      { id: 'a', birthName: 'Adrun', birthGivenNames: 'Zoé', sex: 'F', birthDate: '1975-12-31', birthPlaceCog: '63220', status: 'PROV' },
      { id: 'b', birthName: 'CORSE', birthGivenNames: 'ANTHONY', sex: 'M', birthDate: '02/03/1980', birthPlaceCog: '2B020', status: 'VALI', evidence: 'PASSEPORT' },
      { id: 'c', birthName: 'HOUILLES', birthGivenNames: 'PIERRE PAUL JACQUES', sex: 'M', birthDate: '1993-01-27' },
      { id: 'd', birthName: 'MARTINEZ', birthGivenNames: 'JEAN', sex: 'M', birthDate: '1970-01-15' },
      { id: 'e', birthName: 'NESSI', birthGivenNames: 'ANTHONY MICHELANGELO', sex: 'M', birthDate: '2010-08-07', birthPlaceCog: '63220' },
      { id: 'f', birthName: 'ADRUN', birthGivenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', attributes: 'FICTI' },
    ];
    const res = await request(app.callback()).post('/v1/ins/checks').set('Authorization', `Bearer ${tokens['identity']}`).send(body).expect(200);
    const by = Object.fromEntries((res.body.results as { id: string }[]).map((r) => [r.id, r])) as unknown as Record<string, { recommendation: string; insiCode: string | null; ins?: string; traits: { trait: string; reason: string }[] }>;
    assert.equal(by['a']?.recommendation, 'CAN_BECOME_RECUP');
    assert.equal(by['a']?.ins, '275126322074974');
    assert.equal(by['b']?.recommendation, 'CAN_BECOME_QUAL');
    assert.equal(by['c']?.recommendation, 'NOT_FOUND');
    assert.equal(by['c']?.insiCode, '01');
    assert.equal(by['d']?.recommendation, 'SEVERAL_FOUND');
    assert.equal(by['e']?.recommendation, 'NEEDS_REVIEW');
    assert.equal(by['e']?.traits.find((x) => x.trait === 'birthGivenNames')?.reason, 'COMPOUND_NAME_ORDER');
    assert.equal(by['f']?.recommendation, 'NOT_QUERIED');
    assert.equal(by['f']?.insiCode, null);
    // FICT never reached the simulator: no request with this identity after the five others.
    assert.ok(sim.received.every((r) => !(r.request?.birthName === 'ADRUN' && r.request.sex === 'F' && r.request.givenNames.length === 0)));
    // Audited, with the keyed hash of the INS and no trait in clear.
    const rows = await t.db.query("SELECT subject_hash, details FROM audit_events WHERE type = 'insi.query' ORDER BY seq");
    assert.equal(rows.length, 6);
    assert.equal(rows[0]?.['subject_hash'], h.deps.subjectHash('275126322074974'));
    assert.ok(rows.every((r) => !/ADRUN|ZOE|1975/.test(String(r['details']))));
  });

  it('answers CSV to a CSV upload when asked for CSV', async () => {
    const csv = 'id;nomNaissance;prenoms;sexe;dateNaissance;lieuNaissance\nx;ECETINSI;PIERRE-ALAIN MURIEL FLORIANT;M;14/07/2009;63220\n';
    const res = await request(app.callback()).post('/v1/ins/checks').set('Authorization', `Bearer ${tokens['identity']}`).set('Content-Type', 'text/csv').set('Accept', 'text/csv').send(csv).expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/csv/);
    const [header, line] = res.text.trim().split('\n');
    assert.match(header ?? '', /^id,insiCode,ins,insOid,recommendation,decision,birthName/);
    assert.match(line ?? '', /^x,00,109076322083489,1\.2\.250\.1\.213\.1\.4\.8,CAN_BECOME_RECUP,consistent,consistent:EXACT/);
  });

  it('refuses bad input with every issue and its place; needs the identity role', async () => {
    const res = await request(app.callback()).post('/v1/ins/checks').set('Authorization', `Bearer ${tokens['identity']}`).send([{ birthName: 'X', sex: 'Q', birthDate: '1975-13' }]).expect(422);
    assert.equal(res.body.code, 'INS_CHECK_INPUT_INVALID');
    const paths = (res.body.issues as { path: string }[]).map((i) => i.path).sort();
    assert.deepEqual(paths, ['$[0].birthDate', '$[0].birthGivenNames', '$[0].sex']);
    await request(app.callback()).post('/v1/ins/checks').set('Authorization', `Bearer ${tokens['sil']}`).send([]).expect(403);
    await request(app.callback()).post('/v1/ins/checks').set('Authorization', `Bearer ${tokens['identity']}`).set('Content-Type', 'text/plain').send('x').expect(415);
  });
});
