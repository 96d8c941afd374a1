/** Component benchmarks: each step of the hot path measured alone, on the same machine and run. */
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hl7Message } from '@medplum/core';
import { parseHl7v2 } from '../src/adapters/hl7v2/parse.js';
import { splitMessages, readDelimiters, toSegments } from '../src/adapters/hl7v2/tokenize.js';
import { buildCrBio } from '../src/core/cda/index.js';
import { TransmissionStore } from '../src/adapters/storage/transmissions.js';
import type { Db } from '../src/adapters/storage/db.js';
import { loadReport, testSettings, tinyPdf, versionFor } from '../test/fixtures/cda/settings.js';
import { measure, type Rate } from './measure.js';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'hl7v2');

export const hl7Messages = (): string[] =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.hl7') && !f.includes('batch'))
    .map((f) => readFileSync(join(FIXTURES, f), 'latin1'));

/** RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second with node:crypto: the bound of the whole gateway. */
export async function rsaSignRate(): Promise<Rate> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(512, 7);
  return measure(() => createSign('sha256').update(data).sign(privateKey), 1500, 10);
}

/**
 * Our HL7 tokenizer vs @medplum/core's Hl7Message.parse on the same messages. Like for like: medplum splits
 * every field, repetition, component and subcomponent eagerly, so ours is made to do the same (`ours`);
 * `oursFull` is our whole parse into a validated LabReport (more work than medplum does).
 */
export async function hl7Parse(): Promise<{ ours: Rate; medplum: Rate; oursFull: Rate; ratio: number }> {
  const msgs = hl7Messages();
  let i = 0;
  let sink = 0;
  const ours = await measure(() => {
    const text = msgs[i++ % msgs.length] ?? '';
    for (const lines of splitMessages(text).messages) {
      const d = readDelimiters(lines[0] ?? '');
      if (!d) {
        continue;
      }
      for (const seg of toSegments(lines, d)) {
        for (let n = 1; n <= seg.fieldCount; n++) {
          for (const rep of seg.rawRepetitions(n)) {
            for (const comp of rep.split(d.component)) {
              sink += comp.split(d.subcomponent).length;
            }
          }
        }
      }
    }
  });
  void sink;
  const medplum = await measure(() => Hl7Message.parse((msgs[i++ % msgs.length] ?? '').replace(/\r?\n/g, '\r')));
  const oursFull = await measure(() => parseHl7v2(msgs[i++ % msgs.length] ?? ''));
  return { ours, medplum, oursFull, ratio: ours.perSecond / medplum.perSecond };
}

export async function cdaBuild(): Promise<Rate> {
  const report = loadReport('micro_v1');
  const pdf = tinyPdf();
  return measure(() => buildCrBio(report, versionFor(1, 'micro'), testSettings, { pdf }));
}

/** One durable intake commit (raw bytes + transmission + audit record) per call. */
export async function storageCommit(db: Db): Promise<Rate> {
  const store = new TransmissionStore(db, { now: () => new Date() }, { uuid: () => randomUUID() });
  const raw = Buffer.from(hl7Messages()[0] ?? 'MSH|', 'latin1');
  const report = JSON.stringify(loadReport('tsh'));
  return measure(async () => {
    const id = randomUUID();
    await store.receive({ id, sender: 'BENCH', messageId: id, contentType: 'application/hl7-v2', raw }, [{ id: `t-${id}`, reportIndex: 0, accession: id, insHash: 'h', reportJson: report }], { actor: 'sil:bench' });
  }, 1500, 5);
}

/** The CDA XSD (libxml2-wasm, schema compiled once) on a generated CR-BIO document. */
export async function xsdValidation(ansKit: string): Promise<Rate> {
  const { CdaXsdValidator } = await import('../src/adapters/validation/xsd.js');
  const v = new CdaXsdValidator(ansKit);
  const xml = buildCrBio(loadReport('micro_v1'), versionFor(1, 'micro'), testSettings, { pdf: tinyPdf() }).xml;
  return measure(() => v.validate(xml));
}

/** The conformance gate in-process (schematron off): one libxml2 parse, our CR-BIO rules, and the CDA XSD with the kit. */
export async function conformanceGate(ansKit: string): Promise<{ rulesAndXsd: Rate; rulesOnly: Rate }> {
  const { createConformanceGate } = await import('../src/adapters/validation/gate.js');
  const xml = buildCrBio(loadReport('micro_v1'), versionFor(1, 'micro'), testSettings, { pdf: tinyPdf() }).xml;
  const withKit = await createConformanceGate({ ansKit, schematron: false });
  const ownOnly = await createConformanceGate();
  return { rulesAndXsd: await measure(() => withKit.validate(xml)), rulesOnly: await measure(() => ownOnly.validate(xml)) };
}

/** What one delivery signs: the VIHF assertion and the XAdES submission-set signature (xml-crypto, RSA-SHA256). */
export async function deliverySignatures(): Promise<{ vihf: Rate; xades: Rate }> {
  const { readFileSync } = await import('node:fs');
  const { loadPkcs12Identity } = await import('../src/adapters/signing/keystore.js');
  const { signedVihf } = await import('../src/adapters/signing/vihf.js');
  const { signSubmissionSet } = await import('../src/adapters/signing/xades.js');
  const { testPki } = await import('../test/helpers/pki.js');
  const pki = testPki();
  const signer = loadPkcs12Identity(readFileSync(pki.entities.structureSign.p12Path), pki.passphrase, new Date(), 'signature');
  const settings = {
    version: '3.0', nameId: 'RESP', subjectName: 'dmp-gateway', structureId: '1120459876', sectorOfActivity: 'SA25^1.2.250.1.71.4.2.4',
    roles: [{ code: 'AUTOMATE', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Automate' }], authenticationMode: 'INDIRECTE' as const,
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient', lpsName: 'dmp-gateway', lpsVersion: '0.1.0', lpsHomologation: 'BENCH', digest: 'sha256' as const,
  };
  const cda = Buffer.from(buildCrBio(loadReport('micro_v1'), versionFor(1, 'micro'), testSettings, { pdf: tinyPdf() }).xml);
  const vihf = await measure(() => signedVihf(signer, settings, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } }));
  const xades = await measure(() => signSubmissionSet(signer, { signatureId: `2.25.${Date.now()}`, submissionSetUniqueId: '2.25.1', documents: [{ uniqueId: '2.25.2', bytes: cda }], signingTime: new Date(), digest: 'sha256' }));
  return { vihf, xades };
}

/** SOAP 1.2 + MTOM/XOP packaging of one ITI-41 with its CDA and XAdES parts. */
export async function mtomEncoding(): Promise<Rate> {
  const { buildMtom } = await import('../src/adapters/dmp/mtom.js');
  const cda = Buffer.from(buildCrBio(loadReport('micro_v1'), versionFor(1, 'micro'), testSettings, { pdf: tinyPdf() }).xml);
  const envelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${'<x/>'.repeat(200)}</s:Body></s:Envelope>`;
  return measure(() => buildMtom(envelope, [{ contentId: 'doc-1@bench', contentType: 'text/xml', bytes: cda }, { contentId: 'sig-1@bench', contentType: 'text/xml', bytes: cda.subarray(0, 4000) }], { boundary: 'MIMEBoundary_bench', rootId: 'root@bench', action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b' }));
}
