/**
 * Optional client-certificate authentication for the SIL, over real TLS on loopback: a configured SIL certificate
 * (chaining to the PKI's CA) may submit reports without a token and nothing else; an unlisted or foreign
 * certificate is refused (401, audited); tokens keep working on the same HTTPS port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createApp } from '../../src/adapters/http/app.js';
import { startHttpsListener } from '../../src/adapters/http/client-cert.js';
import { routeModules } from '../../src/main.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import type { Entity } from '../../certs/pki.js';

const HL7 = readFileSync(new URL('../fixtures/hl7v2/01-biochemistry-final.hl7', import.meta.url));

describe('SIL client certificates (HTTPS)', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let https: { url: string; close(): Promise<void> };
  let complianceToken: string;
  const pki = testPki();
  // The SIL's certificate in this test: a client certificate of the test CA (any would do).
  const silCert = pki.entities.insiClient;
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db, {
      DMP_GATEWAY_PKI_DIR: pki.dir,
      DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
      DMP_GATEWAY_HTTP_TLS_P12: pki.entities.dmpServer.p12Path,
      DMP_GATEWAY_HTTP_TLS_PORT: '0',
      DMP_GATEWAY_HTTP_HOST: '127.0.0.1',
      DMP_GATEWAY_SIL_CLIENT_CERT_FINGERPRINTS: silCert.fingerprint256,
    });
    https = await startHttpsListener(h.config, createApp(h.deps, routeModules));
    complianceToken = (await h.deps.tokens.create('compliance', 'c', 'tok-c', h.clock.now())).token;
  });
  after(async () => {
    await https.close();
    await t.dispose();
  });

  const call = (method: string, path: string, opts: { client?: Entity; token?: string; body?: Buffer } = {}): Promise<{ status: number; text: string }> =>
    new Promise((ok, fail) => {
      const req = httpsRequest(
        `${https.url}${path}`,
        {
          method,
          ca: pki.caBundle,
          ...(opts.client ? { cert: opts.client.cert, key: opts.client.key } : {}),
          headers: { ...(opts.body ? { 'content-type': 'application/hl7-v2' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString('utf8')));
          res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', fail);
      req.end(opts.body);
    });

  it('a configured SIL certificate submits a report without a token', async () => {
    const r = await call('POST', '/v1/reports', { client: silCert, body: HL7 });
    assert.equal(r.status, 202, r.text);
    const rec = (await t.db.query("SELECT actor FROM audit_events WHERE type = 'report.received' ORDER BY seq DESC LIMIT 1"))[0];
    assert.equal(rec?.['actor'], `user:cert:${silCert.fingerprint256}`, 'the trail names the certificate');
  });

  it('that certificate is role sil only: reading transmissions is 403 (audited with its fingerprint)', async () => {
    const r = await call('GET', '/v1/transmissions', { client: silCert });
    assert.equal(r.status, 403);
    const last = (await t.db.query("SELECT actor FROM audit_events WHERE type = 'auth.denied' ORDER BY seq DESC LIMIT 1"))[0];
    assert.equal(last?.['actor'], `user:cert:${silCert.fingerprint256}`);
  });

  it('an unlisted certificate of the same CA, a foreign CA, or none: 401', async () => {
    assert.equal((await call('POST', '/v1/reports', { client: pki.entities.structureAuth, body: HL7 })).status, 401);
    assert.equal((await call('POST', '/v1/reports', { client: pki.entities.untrustedClient, body: HL7 })).status, 401);
    assert.equal((await call('POST', '/v1/reports', { body: HL7 })).status, 401);
  });

  it('tokens keep working over HTTPS', async () => {
    assert.equal((await call('GET', '/v1/transmissions', { token: complianceToken })).status, 200);
  });
});
