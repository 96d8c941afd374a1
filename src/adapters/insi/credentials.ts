/**
 * The INSi client certificate: a PKCS#12 structure certificate whose subject CN is INSI-AUTO (automated calls)
 * or INSI-MANU (calls a user triggers); anything else gets DESIR_560 from INSi (standards.md §2.3). Read with
 * node-forge; the subject OU is the emitter of the ContexteLPS / ContexteBAM headers.
 */
import forge from 'node-forge';
import { GatewayError } from '../../core/errors/index.js';

export interface InsiCredentials {
  readonly key: string;
  /** Leaf certificate first, then the chain (PEM). */
  readonly certChain: string;
  readonly commonName: string;
  /** Subject OU (the structure id), used as Emetteur. */
  readonly emitter: string;
}

export const INSI_CNS = ['INSI-AUTO', 'INSI-MANU'] as const;

const attr = (cert: forge.pki.Certificate, shortName: string): string | undefined => {
  const a = cert.subject.getField(shortName) as { value?: unknown } | null;
  return typeof a?.value === 'string' ? a.value : undefined;
};

/** Open a PKCS#12 file. `requireInsiCn` (default true) refuses a certificate whose CN is not INSI-AUTO/INSI-MANU. */
export const loadInsiCredentials = (p12: Buffer, passphrase: string, options: { requireInsiCn?: boolean } = {}): InsiCredentials => {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  } catch {
    throw new GatewayError('INSI_NOT_CONFIGURED', 'The INSi client PKCS#12 file cannot be opened (wrong passphrase or not a PKCS#12 file).');
  }
  const keyOid = forge.pki.oids['pkcs8ShroudedKeyBag'] as string;
  const certOid = forge.pki.oids['certBag'] as string;
  const key = parsed.getBags({ bagType: keyOid })[keyOid]?.[0]?.key;
  const certs = (parsed.getBags({ bagType: certOid })[certOid] ?? []).flatMap((b) => (b.cert ? [b.cert] : []));
  if (!key || certs.length === 0) {
    throw new GatewayError('INSI_NOT_CONFIGURED', 'The INSi client PKCS#12 file holds no key or no certificate.');
  }
  // The leaf is the certificate whose public key matches the private key.
  const rsaKey = key;
  const leaf = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.equals(rsaKey.n)) ?? certs[0];
  if (!leaf) {
    throw new GatewayError('INSI_NOT_CONFIGURED', 'The INSi client PKCS#12 file holds no certificate for its key.');
  }
  const commonName = attr(leaf, 'CN') ?? '';
  if ((options.requireInsiCn ?? true) && !(INSI_CNS as readonly string[]).includes(commonName)) {
    throw new GatewayError('INSI_NOT_CONFIGURED', `The INSi client certificate CN must be INSI-AUTO or INSI-MANU; it is "${commonName}".`);
  }
  const chain = [leaf, ...certs.filter((c) => c !== leaf)];
  return {
    key: forge.pki.privateKeyToPem(key),
    certChain: chain.map((c) => forge.pki.certificateToPem(c)).join(''),
    commonName,
    emitter: attr(leaf, 'OU') ?? commonName,
  };
};
