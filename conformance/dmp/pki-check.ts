/** Certificate checks of the simulator: a certificate must chain to the test CA bundle and be valid now. */
import { X509Certificate } from 'node:crypto';

export const splitPem = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** The bundle's certificates, parsed once per bundle (the same bundle serves every request). */
const bundles = new Map<string, X509Certificate[]>();
const parsedBundle = (pem: string): X509Certificate[] => {
  let cas = bundles.get(pem);
  if (!cas) {
    cas = splitPem(pem).map((p) => new X509Certificate(p));
    bundles.set(pem, cas);
  }
  return cas;
};

export const chainsToBundle = (leaf: X509Certificate, caBundlePem: string, now: Date): string | undefined => {
  const cas = parsedBundle(caBundlePem);
  const within = (c: X509Certificate): boolean => new Date(c.validFrom) <= now && now <= new Date(c.validTo);
  if (!within(leaf)) {
    return 'the certificate is not valid now';
  }
  let cur = leaf;
  for (let depth = 0; depth < 5; depth++) {
    const issuer = cas.find((ca) => ca.subject === cur.issuer && cur.verify(ca.publicKey));
    if (!issuer) {
      return 'the certificate is not issued by the trusted test CA';
    }
    if (!within(issuer)) {
      return 'an issuing CA certificate is not valid now';
    }
    if (issuer.subject === issuer.issuer) {
      return undefined;
    }
    cur = issuer;
  }
  return 'the certificate chain is too long';
};

/** RFC 2253 form of node's multi-line DN (`C=FR\nO=…\nCN=…` → `CN=…,O=…,C=FR`). */
export const rfc2253 = (nodeDn: string): string => nodeDn.split('\n').filter((l) => l !== '').reverse().join(',');

/** Certificates already read, by their base64 (the same few signing certificates sign every request); the last 64. */
const certs = new Map<string, X509Certificate>();
export const certFromBase64 = (b64: string): X509Certificate => {
  const key = b64.replace(/\s+/g, '');
  let cert = certs.get(key);
  if (!cert) {
    cert = new X509Certificate(Buffer.from(key, 'base64'));
    const oldest = certs.keys().next();
    if (certs.size >= 64 && !oldest.done) {
      certs.delete(oldest.value);
    }
    certs.set(key, cert);
  }
  return cert;
};

/** NIR/NIA key check (standards.md §1.3): key = 97 − (N mod 97), Corsica 2A→19, 2B→18. */
export const insKeyValid = (ins15: string): boolean => {
  if (!/^[12378]\d{4}(\d{2}|2A|2B)\d{6}\d{2}$/i.test(ins15)) {
    return false;
  }
  const body = ins15.slice(0, 13).toUpperCase().replace(/^(\d{5})2A/, '$119').replace(/^(\d{5})2B/, '$118');
  const key = 97n - (BigInt(body) % 97n);
  return String(key).padStart(2, '0') === ins15.slice(13);
};
