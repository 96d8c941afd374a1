/**
 * Test PKI for sandbox mode and tests, in the shape of IGC-Santé: a root CA, an intermediate CA, and end
 * entities (structure authentication, structure signature "cachet", INSi client CN=INSI-AUTO, TLS servers for
 * the simulators), each as PEM and as a password-protected PKCS#12 with its chain. Also two negative cases:
 * an INSi client with a wrong CN and a client issued by an unrelated CA.
 *
 * Keys are made with node:crypto (fast, native) and certificates with node-forge. Generated into a
 * git-ignored folder on first use; nothing here is ever committed.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import forge from 'node-forge';

export interface Entity {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
  /** PKCS#12 file (key + certificate + chain), protected by the PKI passphrase. */
  readonly p12Path: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** SHA-256 fingerprint of the certificate, colon-separated upper-case hex (as node prints it). */
  readonly fingerprint256: string;
}

export const ENTITY_NAMES = [
  'structureAuth',
  'structureSign',
  'insiClient',
  'insiWrongCn',
  'dmpServer',
  'insiServer',
  'untrustedClient',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export interface TestPki {
  readonly dir: string;
  readonly passphrase: string;
  /** Root + intermediate, PEM: what a server trusts for client certificates and a client for servers. */
  readonly caBundle: string;
  readonly caBundlePath: string;
  readonly rootCert: string;
  readonly intermediateCert: string;
  readonly entities: Readonly<Record<EntityName, Entity>>;
}

interface Subject {
  readonly cn: string;
  readonly o?: string;
  readonly ou?: string;
}

const toForgeName = (s: Subject): forge.pki.CertificateField[] => [
  { name: 'countryName', value: 'FR' },
  ...(s.o ? [{ name: 'organizationName', value: s.o }] : []),
  ...(s.ou ? [{ name: 'organizationalUnitName', value: s.ou }] : []),
  { name: 'commonName', value: s.cn },
];

const newKeyPair = (): { privatePem: string; forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privatePem: privateKey,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey),
    forgePublic: forge.pki.publicKeyFromPem(publicKey),
  };
};

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly keys: ReturnType<typeof newKeyPair>;
}

const issue = (
  subject: Subject,
  issuer: Issued | null,
  kind: 'root' | 'intermediate' | 'client' | 'server' | 'signature',
  now: Date,
): Issued => {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublic;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + (kind === 'root' || kind === 'intermediate' ? 10 : 2) * 365 * 24 * 3600 * 1000);
  cert.setSubject(toForgeName(subject));
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : toForgeName(subject));
  const ca = kind === 'root' || kind === 'intermediate';
  const exts: object[] = [
    { name: 'basicConstraints', cA: ca, critical: true, ...(kind === 'intermediate' ? { pathLenConstraint: 0 } : {}) },
    ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : kind === 'signature'
        ? { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true }
        : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (kind === 'client') {
    exts.push({ name: 'extKeyUsage', clientAuth: true });
  }
  if (kind === 'server') {
    exts.push({ name: 'extKeyUsage', serverAuth: true });
    exts.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] });
  }
  if (issuer) {
    exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  }
  cert.setExtensions(exts);
  cert.sign(issuer ? issuer.keys.forgePrivate : keys.forgePrivate, forge.md.sha256.create());
  return { cert, keys };
};

const p12 = (entity: Issued, chain: forge.pki.Certificate[], passphrase: string, friendlyName: string): Buffer => {
  const asn1 = forge.pkcs12.toPkcs12Asn1(entity.keys.forgePrivate, [entity.cert, ...chain], passphrase, {
    algorithm: 'aes256',
    friendlyName,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
};

const MANIFEST = 'manifest.json';

/** Generates the test PKI into `dir` unless a complete one valid for at least 30 more days is there. */
export function ensureTestPki(targetDir: string, passphrase: string, now: Date = new Date()): TestPki {
  let dir = targetDir;
  const existing = loadTestPki(dir, passphrase, now);
  if (existing) {
    return existing;
  }
  // Generate into a private folder, then rename it into place: concurrent first uses (parallel test files,
  // two processes) never see a half-written PKI; the loser of the race uses the winner's.
  mkdirSync(dirname(dir), { recursive: true });
  const work = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const final = dir;
  dir = work;
  const root = issue({ cn: 'DMP-GATEWAY TEST ROOT CA', o: 'dmp-gateway test PKI' }, null, 'root', now);
  const inter = issue({ cn: 'DMP-GATEWAY TEST IGC-SANTE STRUCTURES', o: 'dmp-gateway test PKI' }, root, 'intermediate', now);
  const rogue = issue({ cn: 'UNTRUSTED TEST CA', o: 'nobody' }, null, 'root', now);
  const lab = { o: 'LABORATOIRE DE TEST', ou: '120459876' };
  const issued: Record<EntityName, { it: Issued; chain: forge.pki.Certificate[] }> = {
    structureAuth: { it: issue({ cn: 'LBM TEST AUTHENTIFICATION', ...lab }, inter, 'client', now), chain: [inter.cert, root.cert] },
    structureSign: { it: issue({ cn: 'LBM TEST CACHET SIGNATURE', ...lab }, inter, 'signature', now), chain: [inter.cert, root.cert] },
    insiClient: { it: issue({ cn: 'INSI-AUTO', ...lab }, inter, 'client', now), chain: [inter.cert, root.cert] },
    insiWrongCn: { it: issue({ cn: 'LBM TEST NOT-INSI', ...lab }, inter, 'client', now), chain: [inter.cert, root.cert] },
    dmpServer: { it: issue({ cn: 'localhost', o: 'DMP SIMULATOR' }, inter, 'server', now), chain: [inter.cert, root.cert] },
    insiServer: { it: issue({ cn: 'localhost', o: 'INSI SIMULATOR' }, inter, 'server', now), chain: [inter.cert, root.cert] },
    untrustedClient: { it: issue({ cn: 'INSI-AUTO', o: 'nobody' }, rogue, 'client', now), chain: [rogue.cert] },
  };
  const pem = (c: forge.pki.Certificate): string => forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');
  writeFileSync(join(dir, 'root-ca.pem'), pem(root.cert));
  writeFileSync(join(dir, 'intermediate-ca.pem'), pem(inter.cert));
  writeFileSync(join(dir, 'ca-bundle.pem'), pem(inter.cert) + pem(root.cert));
  for (const name of ENTITY_NAMES) {
    const { it, chain } = issued[name];
    writeFileSync(join(dir, `${name}.pem`), pem(it.cert) + chain.map(pem).join(''));
    writeFileSync(join(dir, `${name}.key.pem`), it.keys.privatePem, { mode: 0o600 });
    writeFileSync(join(dir, `${name}.p12`), p12(it, chain, passphrase, name), { mode: 0o600 });
  }
  writeFileSync(join(dir, MANIFEST), JSON.stringify({ generatedAt: now.toISOString(), entities: ENTITY_NAMES }, null, 2));
  if (existsSync(final)) {
    // Incomplete or expiring: move it aside (another process may have just replaced it: then use that one).
    if (loadTestPki(final, passphrase, now) === undefined) {
      try {
        renameSync(final, `${final}.old-${Date.now()}`);
      } catch {
        // someone else moved it
      }
    }
  }
  try {
    renameSync(work, final);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  const loaded = loadTestPki(final, passphrase, now);
  if (!loaded) {
    throw new Error(`test PKI generated in ${final} cannot be read back`);
  }
  return loaded;
}

/** Reads a PKI made by ensureTestPki; undefined if incomplete or expiring within 30 days. */
export function loadTestPki(dir: string, passphrase: string, now: Date = new Date()): TestPki | undefined {
  if (!existsSync(join(dir, MANIFEST))) {
    return undefined;
  }
  const files = ['root-ca.pem', 'intermediate-ca.pem', 'ca-bundle.pem', ...ENTITY_NAMES.flatMap((n) => [`${n}.pem`, `${n}.key.pem`, `${n}.p12`])];
  if (!files.every((f) => existsSync(join(dir, f)))) {
    return undefined;
  }
  const entities = {} as Record<EntityName, Entity>;
  for (const name of ENTITY_NAMES) {
    const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
    const x = new X509Certificate(cert);
    if (new Date(x.validTo).getTime() - now.getTime() < 30 * 24 * 3600 * 1000) {
      return undefined;
    }
    entities[name] = {
      cert,
      key: readFileSync(join(dir, `${name}.key.pem`), 'utf8'),
      p12Path: join(dir, `${name}.p12`),
      certPath: join(dir, `${name}.pem`),
      keyPath: join(dir, `${name}.key.pem`),
      fingerprint256: x.fingerprint256,
    };
  }
  return {
    dir,
    passphrase,
    caBundle: readFileSync(join(dir, 'ca-bundle.pem'), 'utf8'),
    caBundlePath: join(dir, 'ca-bundle.pem'),
    rootCert: readFileSync(join(dir, 'root-ca.pem'), 'utf8'),
    intermediateCert: readFileSync(join(dir, 'intermediate-ca.pem'), 'utf8'),
    entities,
  };
}

/** Reads a PKCS#12 file with node-forge: the private key (PEM) and the certificate chain (PEM, leaf first). */
export function readPkcs12(p12: Buffer, passphrase: string): { key: string; certs: string[] } {
  const asn1 = forge.asn1.fromDer(p12.toString('binary'));
  const parsed = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase);
  const keyBags = parsed.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag'] })[forge.pki.oids['pkcs8ShroudedKeyBag'] as string] ?? [];
  const certBags = parsed.getBags({ bagType: forge.pki.oids['certBag'] })[forge.pki.oids['certBag'] as string] ?? [];
  const key = keyBags[0]?.key;
  if (!key) {
    throw new Error('the PKCS#12 file holds no private key');
  }
  return {
    key: forge.pki.privateKeyToPem(key),
    certs: certBags.flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert)] : [])),
  };
}
