/**
 * Signed audit checkpoints (see src/core/audit/checkpoint.ts): written periodically, at shutdown and on demand
 * with the structure's signature certificate ("cachet", IGC-Santé), RSA-SHA256 over the canonical payload.
 * Each checkpoint is also logged, so a copy of it lives outside the database (log retention).
 */
import { createSign, createVerify, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Config } from '../../config/config.js';
import { checkpointLink, checkpointPayload, type Checkpoint } from '../../core/audit/checkpoint.js';
import { GENESIS_HASH } from '../../core/audit/chain.js';
import type { Logger } from '../../logging/logger.js';
import { loadPkcs12Identity } from '../signing/keystore.js';
import { appendAudit } from '../storage/audit-store.js';
import type { Db, Executor, Row } from '../storage/db.js';

/** The same lock appendAudit takes: a checkpoint sees a settled end of the trail. */
const AUDIT_LOCK = 7264002;

export interface CheckpointSigner {
  readonly keyPem: string;
  readonly certPem: string;
  readonly fingerprint256: string;
  /** Certificates of the chain (issuers), PEM: checkpoints signed by a renewed certificate of the same CA are trusted. */
  readonly chainPem: readonly string[];
  readonly notAfter: Date;
}

/** The structure's signature certificate: audit.signatureP12, else the one that signs for the DMP (dmp.signP12), else the PKI folder's. */
export const signaturePathOf = (config: Config): string => config.audit.signatureP12 ?? config.dmp.signP12 ?? join(config.pki.dir, 'structureSign.p12');

/** Loads the signature certificate (valid now), or undefined when the file is absent (checkpoints are then not written). */
export const loadCheckpointSigner = (config: Config, now: Date): CheckpointSigner | undefined => {
  const path = signaturePathOf(config);
  if (!existsSync(path)) {
    return undefined;
  }
  const id = loadPkcs12Identity(readFileSync(path), config.pki.passphrase ?? '', now, 'audit signature');
  return { keyPem: id.keyPem, certPem: id.certPem, fingerprint256: id.fingerprint256, chainPem: id.chainPem.slice(1), notAfter: id.notAfter };
};

/**
 * The certificate that checkpoints are checked against. Unlike signing, checking does not need the certificate
 * to be valid today: a checkpoint signed last year with a since-expired certificate still proves what it said.
 */
export const loadCheckpointTrust = (config: Config): CheckpointSigner | undefined => p12Certificate(signaturePathOf(config), config.pki.passphrase ?? '');

/** The leaf certificate (and its chain) of a PKCS#12 file, whatever its validity dates; undefined when absent. */
export const p12Certificate = (path: string, passphrase: string): CheckpointSigner | undefined => {
  if (!existsSync(path)) {
    return undefined;
  }
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(readFileSync(path).toString('binary')), passphrase);
  const bagType = forge.pki.oids['certBag'] as string;
  const certs = (p12.getBags({ bagType })[bagType] ?? []).flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert).replace(/\r\n/g, '\n')] : []));
  const x509 = certs.map((c) => new X509Certificate(c));
  // The leaf: the certificate that issued no other one in the file.
  const leafIndex = x509.findIndex((c) => !x509.some((o) => o !== c && o.checkIssued(c)));
  const leaf = x509[leafIndex];
  if (!leaf) {
    return undefined;
  }
  return { keyPem: '', certPem: certs[leafIndex] ?? '', fingerprint256: leaf.fingerprint256, chainPem: certs.filter((_, i) => i !== leafIndex), notAfter: new Date(leaf.validTo) };
};

const rowToCheckpoint = (r: Row): Checkpoint => ({
  seq: Number(r['seq']),
  recordHash: String(r['record_hash']),
  at: String(r['at']),
  prevCheckpoint: String(r['prev_checkpoint']),
  certFingerprint: String(r['cert_fingerprint']),
  certPem: String(r['cert_pem']),
  algorithm: String(r['algorithm']),
  signature: String(r['signature']),
});

export const readCheckpoints = async (db: Executor): Promise<Checkpoint[]> => (await db.query('SELECT * FROM audit_checkpoints ORDER BY seq')).map(rowToCheckpoint);

/**
 * Signs the current end of the trail if it moved since the last checkpoint. Returns the new checkpoint, or
 * undefined when there was nothing new.
 */
export async function writeCheckpoint(db: Db, signer: CheckpointSigner, at: Date): Promise<Checkpoint | undefined> {
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') {
      await tx.query(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
    }
    const last = (await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'))[0];
    const prev = (await tx.query('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1')).map(rowToCheckpoint)[0];
    if (!last || (prev && prev.seq >= Number(last.seq))) {
      return undefined;
    }
    const base = { seq: Number(last.seq), recordHash: last.hash, at: at.toISOString(), prevCheckpoint: prev ? checkpointLink(prev) : GENESIS_HASH, certFingerprint: signer.fingerprint256 };
    const signature = createSign('RSA-SHA256').update(checkpointPayload(base)).sign(signer.keyPem, 'base64');
    const cp: Checkpoint = { ...base, certPem: signer.certPem, algorithm: 'RSA-SHA256', signature };
    await tx.execute(
      'INSERT INTO audit_checkpoints (seq, record_hash, at, prev_checkpoint, cert_fingerprint, cert_pem, algorithm, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [cp.seq, cp.recordHash, cp.at, cp.prevCheckpoint, cp.certFingerprint, cp.certPem, cp.algorithm, cp.signature],
    );
    return cp;
  });
}

/**
 * A checkpoint's signature is accepted when it verifies with the certificate it names, and that certificate
 * is the configured signature certificate or was issued by the same CA (a renewed certificate).
 */
export const checkpointVerifier = (trusted: CheckpointSigner | undefined): ((c: Checkpoint) => boolean) => {
  const issuers = (trusted?.chainPem ?? []).map((p) => new X509Certificate(p));
  return (c) => {
    if (c.algorithm !== 'RSA-SHA256' || !trusted) {
      return false;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(c.certPem);
    } catch {
      return false;
    }
    if (cert.fingerprint256 !== c.certFingerprint) {
      return false;
    }
    const isTrusted = cert.fingerprint256 === trusted.fingerprint256 || issuers.some((i) => cert.checkIssued(i) && cert.verify(i.publicKey));
    return isTrusted && createVerify('RSA-SHA256').update(checkpointPayload(c)).verify(cert.publicKey, c.signature, 'base64');
  };
};

/** Periodic checkpoints; `stop()` writes a last one. */
export function startCheckpoints(opts: { db: Db; config: Config; clock: { now(): Date }; logger: Logger; ids?: { uuid(): string } }): { checkpoint(): Promise<Checkpoint | undefined>; stop(): Promise<void> } {
  let signer: CheckpointSigner | undefined;
  try {
    signer = loadCheckpointSigner(opts.config, opts.clock.now());
  } catch (e) {
    opts.logger.warn({ err: e }, 'audit checkpoints disabled: the signature certificate cannot be used');
  }
  if (!signer) {
    opts.logger.warn({ path: signaturePathOf(opts.config) }, 'audit checkpoints disabled: no signature certificate');
  }
  // The certificate in use is itself an audited fact (a change of certificate shows in the trail).
  const loaded = signer
    ? opts.db.transaction((tx) =>
        appendAudit(opts.db, tx, { type: 'certificate.loaded', actor: 'system:gateway', outcome: 'info', details: { purpose: 'audit checkpoints', fingerprint256: signer.fingerprint256, notAfter: signer.notAfter.toISOString() } }, opts.clock.now(), opts.ids?.uuid() ?? randomUUID()),
      )
    : Promise.resolve();
  const checkpoint = async (): Promise<Checkpoint | undefined> => {
    if (!signer) {
      return undefined;
    }
    const cp = await writeCheckpoint(opts.db, signer, opts.clock.now());
    if (cp) {
      opts.logger.info({ auditCheckpoint: { seq: cp.seq, recordHash: cp.recordHash, at: cp.at, certFingerprint: cp.certFingerprint, signature: cp.signature } }, 'audit checkpoint');
    }
    return cp;
  };
  const seconds = opts.config.audit.checkpointIntervalSeconds;
  let running: Promise<unknown> = loaded.catch((e: unknown) => opts.logger.error({ err: e }, 'audit record failed'));
  const timer =
    signer && seconds > 0
      ? setInterval(() => {
          running = checkpoint().catch((e: unknown) => opts.logger.error({ err: e }, 'audit checkpoint failed'));
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return {
    checkpoint,
    async stop() {
      if (timer) {
        clearInterval(timer);
      }
      await running;
      await checkpoint().catch((e: unknown) => opts.logger.error({ err: e }, 'audit checkpoint failed'));
    },
  };
}
