import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InsiClient } from '../../../src/adapters/insi/client.js';
import { loadInsiCredentials } from '../../../src/adapters/insi/credentials.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { startInsiSimulator, type InsiSimulator } from '../../../conformance/insi/simulator.js';
import { FAULTS } from '../../../conformance/insi/answers.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';
import { FixedClock, sequentialIds } from '../../helpers/clock.js';
import type { TestPki } from '../../../certs/pki.js';

const IDAM = 'TEST-IDAM-0001';

describe('INSi client against the simulator over mutual TLS', () => {
  let pki: TestPki;
  let sim: InsiSimulator;
  const client = (entity: 'insiClient' | 'insiWrongCn' | 'untrustedClient' = 'insiClient', over: { idam?: string; timeoutMs?: number } = {}) =>
    new InsiClient({
      endpoint: sim.url,
      credentials: loadInsiCredentials(readFileSync(pki.entities[entity].p12Path), TEST_PKI_PASSPHRASE, { requireInsiCn: entity === 'insiClient' }),
      trust: pki.caBundle,
      lps: { idam: over.idam ?? IDAM, softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: '11111111-2222-4333-8444-555555555555' },
      timeoutMs: over.timeoutMs ?? 10_000,
      clock: new FixedClock('2026-11-25T10:00:00.000Z'),
      ids: sequentialIds(),
    });

  before(async () => {
    pki = testPki();
    sim = await startInsiSimulator({ cert: pki.entities.insiServer.cert, key: pki.entities.insiServer.key, clientCa: pki.caBundle, knownIdams: [IDAM] });
  });
  after(async () => {
    await sim.close();
  });

  it('00: ADRUN ZOE returns the INS and the traits; the request carried the headers and the CN INSI-AUTO', async () => {
    const log: Parameters<InsiClient['searchWithTraits']>[1] = [];
    const a = await client().searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }, log);
    assert.equal(a.code, '00');
    assert.ok(a.code === '00');
    assert.equal(a.ins.value, '275126322074974');
    assert.equal(a.ins.oid, '1.2.250.1.213.1.4.8');
    assert.deepEqual(a.traits, { birthName: 'ADRUN', birthGivenNames: 'ZOE', firstGivenName: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCog: '63220' });
    const rec = sim.received.at(-1);
    assert.equal(rec?.clientCn, 'INSI-AUTO');
    assert.equal(rec?.request?.idam, IDAM);
    assert.equal(rec?.request?.action, 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
    assert.equal(rec?.request?.messageId, 'uuid:00000000-0000-4000-8000-000000000001');
    assert.equal(rec?.request?.hasBam, true);
    const xml = log[0]?.requestXml ?? '';
    assert.match(xml, /<ctxbam:Emetteur>120459876<\/ctxbam:Emetteur>/); // OU of the certificate subject
    assert.match(xml, /<ctxlps:Temps>2026-11-25T10:00:00.000Z<\/ctxlps:Temps>/);
    assert.doesNotMatch(xml, /wsse:Security/);
  });

  it('00 with history (ECETINSI INSHISTO) and a NIA (PROVISOIRE, OID .9)', async () => {
    const e = await client().searchWithTraits({ birthName: 'ECETINSI', givenNames: ['PIERRE-ALAIN'], sex: 'M', birthDate: '2009-07-14' });
    assert.ok(e.code === '00');
    assert.deepEqual(e.history.map((h) => h.value), ['209076322083439', '209066322012355']);
    const n = await client().searchWithTraits({ birthName: 'PROVISOIRE', givenNames: ['MATRICULE'], sex: 'M', birthDate: '2009-07-01' });
    assert.ok(n.code === '00');
    assert.equal(n.ins.oid, '1.2.250.1.213.1.4.9');
  });

  it('RECVITALE: the carte Vitale search finds CORSE by matricule', async () => {
    const a = await client().searchWithCard({ matricule: '180032B020401', key: '23', birthName: 'CORSE', birthDate: '1980-03-02' });
    assert.ok(a.code === '00');
    assert.equal(a.traits.birthPlaceCog, '2B020');
    assert.equal(sim.received.at(-1)?.request?.operation, 'RECVITALE');
  });

  it('01: TCHITCHI with OLA; the strategy then finds her with another first name', async () => {
    const a = await client().searchWithTraits({ birthName: 'TCHITCHI', givenNames: ['OLA'], sex: 'F', birthDate: '1936-06-21' });
    assert.equal(a.code, '01');
    const s = await client().search({ birthName: 'TCHITCHI', birthGivenNames: 'OLA CATARINA', sex: 'F', birthDate: '1936-06-21' });
    assert.equal(s.answer.code, '00');
    assert.deepEqual(s.exchanges.map((x) => x.answer?.code), ['01', '00']);
  });

  it('01 everywhere: HOUILLES is tried with each first name and the whole list', async () => {
    const s = await client().search({ birthName: 'HOUILLES', birthGivenNames: 'PIERRE PAUL JACQUES', sex: 'M', birthDate: '1993-01-27' });
    assert.equal(s.answer.code, '01');
    assert.deepEqual(
      s.exchanges.map((x) => ('givenNames' in x.query ? x.query.givenNames.join('|') : '')),
      ['PIERRE', 'PAUL', 'JACQUES', 'PIERRE PAUL JACQUES'],
    );
  });

  it('02: homonyms are told apart by the full first-name list, or else by the birth place', async () => {
    const byList = await client().search({ birthName: 'DUPLESSIS', birthGivenNames: 'MARIE LOUISE', sex: 'F', birthDate: '1990-05-17', birthPlaceCog: '69123' });
    assert.deepEqual(byList.exchanges.map((x) => x.answer?.code), ['02', '00']);
    assert.ok(byList.answer.code === '00');
    assert.equal(byList.answer.traits.birthGivenNames, 'MARIE LOUISE');
    const byPlace = await client().search({ birthName: 'MARTINEZ', birthGivenNames: 'JEAN', sex: 'M', birthDate: '1970-01-15', birthPlaceCog: '33063' });
    assert.deepEqual(byPlace.exchanges.map((x) => x.answer?.code), ['02', '00']);
    assert.ok(byPlace.answer.code === '00');
    assert.equal(byPlace.answer.traits.birthPlaceCog, '33063');
    const none = await client().search({ birthName: 'MARTINEZ', birthGivenNames: 'JEAN', sex: 'M', birthDate: '1970-01-15' });
    assert.equal(none.answer.code, '02');
  });

  it('unknown IDAM: the desir_550 fault becomes INSI_SOFTWARE_UNKNOWN, logged with the fault XML', async () => {
    const log: Parameters<InsiClient['searchWithTraits']>[1] = [];
    await assert.rejects(client('insiClient', { idam: 'NOT-REGISTERED' }).searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }, log), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, 'INSI_SOFTWARE_UNKNOWN');
      assert.match(e.message, /desir_550/);
      return true;
    });
    assert.equal(log[0]?.error?.code, 'INSI_SOFTWARE_UNKNOWN');
    assert.match(log[0]?.responseXml ?? '', /siram:Erreur code="desir_550"/);
  });

  it('another fault (injected) becomes INSI_FAULT with its code', async () => {
    sim.inject({ kind: 'fault', fault: { subcode: 'siram_200', code: 'desir_999', reason: 'Service indisponible.' } });
    await assert.rejects(client().searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, 'INSI_FAULT');
      assert.match(e.message, /siram_200 \/ desir_999/);
      return true;
    });
  });

  it('wrong certificate CN: DESIR_560 becomes INSI_ACCESS_DENIED; the client refuses to load it by default', async () => {
    await assert.rejects(client('insiWrongCn').searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, 'INSI_ACCESS_DENIED');
      return true;
    });
    assert.equal(sim.received.at(-1)?.fault, FAULTS.accessLevel.code);
    assert.throws(() => loadInsiCredentials(readFileSync(pki.entities.insiWrongCn.p12Path), TEST_PKI_PASSPHRASE), /CN must be INSI-AUTO or INSI-MANU/);
  });

  it('certificate from an untrusted CA: the TLS handshake fails (INSI_TLS_FAILED), nothing reaches the service', async () => {
    const before = sim.received.length;
    await assert.rejects(client('untrustedClient').searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, 'INSI_TLS_FAILED');
      return true;
    });
    assert.equal(sim.received.length, before);
  });

  it('a server the client does not trust is refused (INSI_TLS_FAILED)', async () => {
    const c = new InsiClient({
      endpoint: sim.url,
      credentials: loadInsiCredentials(readFileSync(pki.entities.insiClient.p12Path), TEST_PKI_PASSPHRASE),
      trust: pki.entities.untrustedClient.cert,
      lps: { idam: IDAM, softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: 'x' },
      timeoutMs: 10_000,
      clock: new FixedClock(),
      ids: sequentialIds(),
    });
    await assert.rejects(c.searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), { code: 'INSI_TLS_FAILED' });
  });

  it('no answer in time: INSI_TIMEOUT (retryable)', async () => {
    sim.inject({ kind: 'delay', ms: 3000 });
    await assert.rejects(client('insiClient', { timeoutMs: 200 }).searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, 'INSI_TIMEOUT');
      assert.equal(e.retryable, true);
      return true;
    });
  });

  it('nothing listening: INSI_UNAVAILABLE', async () => {
    const c = new InsiClient({
      endpoint: 'https://127.0.0.1:1/lps',
      credentials: loadInsiCredentials(readFileSync(pki.entities.insiClient.p12Path), TEST_PKI_PASSPHRASE),
      trust: pki.caBundle,
      lps: { idam: IDAM, softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: 'x' },
      timeoutMs: 5000,
      clock: new FixedClock(),
      ids: sequentialIds(),
    });
    await assert.rejects(c.searchWithTraits({ birthName: 'ADRUN', givenNames: ['ZOE'], sex: 'F', birthDate: '1975-12-31' }), { code: 'INSI_UNAVAILABLE' });
  });
});
