import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createSign, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { readPkcs12 } from '../../../certs/pki.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';

describe('test PKI', () => {
  const pki = testPki();
  const root = new X509Certificate(pki.rootCert);
  const inter = new X509Certificate(pki.intermediateCert);

  it('chains every end entity to the test root through the intermediate (except the untrusted one)', () => {
    assert.ok(inter.verify(root.publicKey), 'intermediate signed by root');
    for (const [name, e] of Object.entries(pki.entities)) {
      const leaf = new X509Certificate(e.cert);
      if (name === 'untrustedClient') {
        assert.ok(!leaf.verify(inter.publicKey), 'not issued by our intermediate');
      } else {
        assert.ok(leaf.verify(inter.publicKey), `${name} issued by the intermediate`);
      }
    }
  });

  it('has the subjects and usages the simulators check', () => {
    assert.match(new X509Certificate(pki.entities.insiClient.cert).subject, /CN=INSI-AUTO/);
    assert.doesNotMatch(new X509Certificate(pki.entities.insiWrongCn.cert).subject, /CN=INSI-(AUTO|MANU)/);
    assert.match(new X509Certificate(pki.entities.dmpServer.cert).subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(new X509Certificate(pki.entities.structureAuth.cert).keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
  });

  it('PKCS#12 files open with the passphrase (node TLS and node-forge) and match their key', () => {
    const p12 = readFileSync(pki.entities.structureSign.p12Path);
    assert.ok(tls.createSecureContext({ pfx: p12, passphrase: TEST_PKI_PASSPHRASE }));
    assert.throws(() => tls.createSecureContext({ pfx: p12, passphrase: 'wrong' }));
    const { key, certs } = readPkcs12(p12, TEST_PKI_PASSPHRASE);
    assert.equal(certs.length, 3, 'leaf + intermediate + root');
    const sig = createSign('sha256').update('x').sign(createPrivateKey(key));
    assert.ok(createVerify('sha256').update('x').verify(new X509Certificate(pki.entities.structureSign.cert).publicKey, sig));
  });
});
