/**
 * Reads a structure certificate from PKCS#12 (node-forge): the IGC-Santé "authentification" certificate for
 * mutual TLS and the "cachet"/signature certificate for the VIHF and the XAdES (standards.md §4.2).
 */
import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../../core/errors/index.js';

export interface CertificateIdentity {
  /** PEM private key (PKCS#1 or PKCS#8). */
  readonly keyPem: string;
  /** Leaf certificate, PEM. */
  readonly certPem: string;
  /** Leaf then the rest of the chain found in the file, PEM. */
  readonly chainPem: readonly string[];
  /** Subject DN, RFC 2253 order (CN first), e.g. `CN=LBM TEST CACHET SIGNATURE,OU=120459876,O=LABORATOIRE DE TEST,C=FR`. */
  readonly subjectDn: string;
  readonly issuerDn: string;
  /** Serial number, decimal (XAdES IssuerSerial). */
  readonly serialDecimal: string;
  /** Leaf DER, base64. */
  readonly certDerBase64: string;
  readonly fingerprint256: string;
  readonly notAfter: Date;
}

const SHORT: Readonly<Record<string, string>> = { commonName: 'CN', organizationName: 'O', organizationalUnitName: 'OU', countryName: 'C', localityName: 'L', stateOrProvinceName: 'ST', emailAddress: 'E' };

const escapeDnValue = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');

/** RFC 2253 string of a forge name: attributes in reverse order of the certificate. */
export const dnOf = (attrs: readonly forge.pki.CertificateField[]): string =>
  [...attrs].reverse().map((a) => `${SHORT[a.name ?? ''] ?? a.shortName ?? a.type ?? '?'}=${escapeDnValue(String(a.value))}`).join(',');

export const loadPkcs12Identity = (p12: Buffer, passphrase: string, now: Date, what: string): CertificateIdentity => {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  } catch (e) {
    throw new GatewayError('DMP_CERTIFICATE_UNUSABLE', `The ${what} PKCS#12 cannot be opened (wrong passphrase or not a PKCS#12 file).`, { cause: e });
  }
  const shrouded = forge.pki.oids['pkcs8ShroudedKeyBag'] as string;
  const plain = forge.pki.oids['keyBag'] as string;
  const certOid = forge.pki.oids['certBag'] as string;
  const key = parsed.getBags({ bagType: shrouded })[shrouded]?.[0]?.key ?? parsed.getBags({ bagType: plain })[plain]?.[0]?.key;
  const certs = (parsed.getBags({ bagType: certOid })[certOid] ?? []).flatMap((b) => (b.cert ? [b.cert] : []));
  if (!key || certs.length === 0) {
    throw new GatewayError('DMP_CERTIFICATE_UNUSABLE', `The ${what} PKCS#12 holds no private key or no certificate.`);
  }
  // The leaf is the certificate whose public key matches the private key.
  const rsaKey = key;
  const leaf = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.equals(rsaKey.n)) ?? certs[0];
  if (!leaf) {
    throw new GatewayError('DMP_CERTIFICATE_UNUSABLE', `The ${what} PKCS#12 holds no certificate for its key.`);
  }
  if (leaf.validity.notAfter.getTime() < now.getTime() || leaf.validity.notBefore.getTime() > now.getTime()) {
    throw new GatewayError('DMP_CERTIFICATE_UNUSABLE', `The ${what} certificate is not valid now (valid ${leaf.validity.notBefore.toISOString()} to ${leaf.validity.notAfter.toISOString()}).`);
  }
  const pem = (c: forge.pki.Certificate): string => forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');
  const certPem = pem(leaf);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
  return {
    keyPem: forge.pki.privateKeyToPem(key),
    certPem,
    chainPem: [certPem, ...certs.filter((c) => c !== leaf).map(pem)],
    subjectDn: dnOf(leaf.subject.attributes),
    issuerDn: dnOf(leaf.issuer.attributes),
    serialDecimal: BigInt(`0x${leaf.serialNumber}`).toString(10),
    certDerBase64: der.toString('base64'),
    fingerprint256: new X509Certificate(der).fingerprint256,
    notAfter: leaf.validity.notAfter,
  };
};

export const sha1Base64 = (b: Uint8Array): string => createHash('sha1').update(b).digest('base64');
export const digestBase64 = (alg: 'sha1' | 'sha256', b: Uint8Array | string): string => createHash(alg).update(b).digest('base64');
