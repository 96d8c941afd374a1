/**
 * The evidence pack of one transmission: everything a compliance officer needs to show what was sent to the
 * DMP, for whom (as a keyed hash), when, and what the DMP answered — one zip (yazl), with a manifest of
 * SHA-256 digests. Contents (also written in the pack's LISEZMOI.txt and in docs/audit.md):
 *
 *   manifest.json            transmission (state, ids, versions, attempts, errors), pack time, who asked, the
 *                            SHA-256 of every other file, and the verification of the whole trail at that time
 *   input/sha256.txt         SHA-256 of the SIL's raw input (kept even after retention drops the input)
 *   input/raw.(hl7|json|xml) the raw input as received, while retention keeps it
 *   document/cda.xml         the CR-BIO CDA sent (while retention keeps it)
 *   document/metadata.json   XDSDocumentEntry facts: uniqueId, setId, version, replaced document, entryUUID, SHA-1, size
 *   signatures/certificates.json  fingerprints of the certificates used for each delivery attempt (from the trail)
 *   signatures/checkpoint.json    the latest signed audit checkpoint (RSA-SHA256, structure signature certificate):
 *                                 it vouches for this transmission's records up to its seq
 *   dmp/answer.xml|.txt      the DMP's answer (RegistryResponse or error), as stored
 *   audit/records.jsonl      this transmission's audit records (hash-chained: seq, prevHash, hash)
 *   audit/fhir-auditevents.json   the same as a FHIR Bundle of AuditEvent (IHE BALP style)
 */
import { createHash } from 'node:crypto';
import yazl from 'yazl';
import type { AuditRecord } from '../../core/audit/chain.js';
import { toFhirAuditEvent } from '../../core/audit/export.js';
import { jsonLine } from '../../core/audit/export.js';
import type { Executor } from '../storage/db.js';
import { DOCUMENT_FROM } from '../storage/outbox.js';
import type { Transmission } from '../storage/transmissions.js';
import { readCheckpoints, type CheckpointSigner } from './checkpoints.js';
import { iterateAudit } from './search.js';
import { verifyAuditTrail } from './verify.js';

export const EVIDENCE_README = `Dossier de preuve d'une transmission au DMP (dmp-gateway)
=========================================================

manifest.json                 la transmission (état, identifiants, versions, tentatives, erreurs), la date du
                              dossier, qui l'a demandé, l'empreinte SHA-256 de chaque fichier, et la vérification
                              de toute la piste d'audit à ce moment-là
input/sha256.txt              empreinte SHA-256 du message reçu du SIL (conservée après la purge)
input/raw.*                   le message reçu, tel quel (tant que la durée de conservation le garde)
document/cda.xml              le document CDA CR-BIO envoyé (tant que la durée de conservation le garde)
document/metadata.json        métadonnées XDS : uniqueId, setId, version, document remplacé, entryUUID, SHA-1, taille
signatures/certificates.json  empreintes des certificats utilisés à chaque tentative d'envoi
signatures/checkpoint.json    le dernier point de contrôle signé (certificat de signature de la structure,
                              RSA-SHA256) : il garantit les enregistrements de cette transmission jusqu'à son seq
dmp/answer.*                  la réponse du DMP (RegistryResponse ou erreur)
sil/receipt-*.hl7             l'accusé de réception DMP (ZAM^Z01) dû au SIL, tel qu'envoyé ou à envoyer
sil/receipts.json             pour chacun : MSH-10, Y/N, état (pending, sent, failed), tentatives, réponse du SIL
audit/records.jsonl           les enregistrements d'audit de cette transmission (chaînés : seq, prevHash, hash)
audit/fhir-auditevents.json   les mêmes en ressources FHIR AuditEvent (profil IHE BALP)

Le patient n'apparaît que sous la forme d'un condensat à clé de son INS (subjectHash).
`;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const extensionOf = (contentType: string): string => (/fhir|json/.test(contentType) ? 'json' : /xml/.test(contentType) ? 'xml' : 'hl7');

export interface EvidenceContext {
  readonly now: Date;
  readonly requestedBy: string;
  readonly trust: CheckpointSigner | undefined;
  readonly observer: { observer: string; siteOid?: string };
}

/** Builds the zip for transmission `t`. */
export async function buildEvidencePack(db: Executor, t: Transmission, ctx: EvidenceContext): Promise<Buffer> {
  const files: { name: string; data: Buffer }[] = [];
  const add = (name: string, data: Buffer | string): void => {
    files.push({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8') });
  };
  add('LISEZMOI.txt', EVIDENCE_README);

  const inbound = (await db.query('SELECT content_type, raw, raw_sha256, received_at, sender, message_id FROM inbound_messages WHERE id = ?', [t.inboundId]))[0];
  if (inbound) {
    add('input/sha256.txt', `${String(inbound['raw_sha256'])}\n`);
    const raw = inbound['raw'] as Buffer | Uint8Array | null;
    if (raw && raw.length > 0) {
      add(`input/raw.${extensionOf(String(inbound['content_type']))}`, Buffer.from(raw));
    }
  }
  const docs = await db.query(`SELECT d.*, e.entry_uuid AS dmp_entry_uuid FROM ${DOCUMENT_FROM} WHERE d.transmission_id = ? ORDER BY d.version_number`, [t.id]);
  const doc = docs.find((d) => d['unique_id'] === t.documentUniqueId) ?? docs[docs.length - 1];
  if (doc) {
    const cda = doc['cda'] as Buffer | Uint8Array | null;
    if (cda && cda.length > 0) {
      add('document/cda.xml', Buffer.from(cda));
    }
    add(
      'document/metadata.json',
      JSON.stringify(
        { uniqueId: doc['unique_id'], setId: doc['set_id'], versionNumber: Number(doc['version_number']), replacesUniqueId: doc['replaces_unique_id'] ?? null, entryUuid: doc['dmp_entry_uuid'] ?? null, sha1: doc['sha1'], sizeBytes: Number(doc['size_bytes']), createdAt: doc['created_at'] },
        null,
        2,
      ),
    );
  }
  const records: AuditRecord[] = [];
  for await (const r of iterateAudit(db, { transmissionId: t.id })) {
    records.push(r);
  }
  const certificates = records.flatMap((r) => {
    const d = JSON.parse(r.details) as Record<string, unknown>;
    const fp = d['certificateFingerprint'];
    return typeof fp === 'string' ? [{ seq: r.seq, at: r.at, type: r.type, outcome: r.outcome, certificateFingerprint: fp }] : [];
  });
  add('signatures/certificates.json', JSON.stringify(certificates, null, 2));
  // The latest signed checkpoint: it vouches for every record of this transmission up to its seq.
  const cp = (await readCheckpoints(db)).pop();
  if (cp && records.some((r) => r.seq <= cp.seq)) {
    add('signatures/checkpoint.json', JSON.stringify(cp, null, 2));
  }
  if (t.dmpAnswer) {
    add(`dmp/answer.${t.dmpAnswer.trimStart().startsWith('<') ? 'xml' : 'txt'}`, t.dmpAnswer);
  }
  // The DMP receipts (ZAM^Z01) owed to the SIL for this transmission, as built (the payload is the exact message).
  const receipts = await db.query('SELECT control_id, original_control_id, accepted, payload, state, attempts, last_error_code, answer, created_at, sent_at FROM sil_receipts WHERE transmission_id = ? ORDER BY created_at, control_id', [t.id]);
  for (const r of receipts) {
    add(`sil/receipt-${String(r['control_id']).replace(/[^\w.-]/g, '_')}.hl7`, String(r['payload']));
  }
  if (receipts.length > 0) {
    add('sil/receipts.json', JSON.stringify(receipts.map((r) => ({
      controlId: r['control_id'], originalControlId: r['original_control_id'], accepted: Number(r['accepted']) === 1, state: r['state'], attempts: Number(r['attempts']),
      lastErrorCode: r['last_error_code'] ?? null, silAnswer: r['answer'] ?? null, createdAt: r['created_at'], sentAt: r['sent_at'] ?? null,
    })), null, 2));
  }
  add('audit/records.jsonl', records.map(jsonLine).join(''));
  add('audit/fhir-auditevents.json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: records.map((r) => ({ fullUrl: `urn:uuid:${r.id}`, resource: toFhirAuditEvent(r, ctx.observer) })) }, null, 2));

  const verification = await verifyAuditTrail(db, ctx.trust, ctx.now);
  const manifest = {
    kind: 'dmp-gateway.evidence-pack.v1',
    generatedAt: ctx.now.toISOString(),
    requestedBy: ctx.requestedBy,
    transmission: {
      id: t.id,
      status: t.status,
      accession: t.accession,
      subjectHash: t.insHash,
      setId: t.setId,
      versionNumber: t.versionNumber,
      documentUniqueId: t.documentUniqueId,
      attempts: t.attempts,
      lastErrorCode: t.lastErrorCode,
      lastError: t.lastError,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      receivedAt: inbound ? String(inbound['received_at']) : null,
    },
    auditTrail: { ok: verification.ok, records: verification.records, lastSeq: verification.lastSeq, lastHash: verification.lastHash, checkpoints: verification.checkpoints, ...(verification.firstBad ? { firstBad: verification.firstBad } : {}) },
    files: files.map((f) => ({ name: f.name, bytes: f.data.length, sha256: sha256(f.data) })),
  };
  const zip = new yazl.ZipFile();
  const mtime = ctx.now;
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json', { mtime });
  for (const f of files) {
    zip.addBuffer(f.data, f.name, { mtime });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) {
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
