/** Component benchmarks: each step of the hot path measured alone, on the same machine and run. */
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Hl7Message } from '@medplum/core';
import { parseHl7v2 } from '../src/adapters/hl7v2/parse.js';
import { splitMessages, readDelimiters, toSegments } from '../src/adapters/hl7v2/tokenize.js';
import { buildCrBio } from '../src/core/cda/index.js';
import { TransmissionStore } from '../src/adapters/storage/transmissions.js';
import type { Db } from '../src/adapters/storage/db.js';
import { loadReport, testSettings, tinyPdf, versionFor } from '../test/fixtures/cda/settings.js';
import { measure, summarize, type Rate } from './measure.js';

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
 * Runs synchronous sides in interleaved rounds (A B, B A, A B…), each for `budgetMs` per round after a warm-up, so
 * that load from other processes on the machine falls on both sides alike. Each call is timed.
 */
function interleaved<K extends string>(sides: Record<K, () => void>, rounds: number, budgetMs: number): { rates: Record<K, Rate>; perRound: Record<K, number>[] } {
  const names = Object.keys(sides) as K[];
  const lat = {} as Record<K, number[]>;
  const secs = {} as Record<K, number>;
  const run = (k: K, ms: number): number => {
    const fn = sides[k];
    const out = lat[k];
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
      n++;
    }
    const s = (performance.now() - start) / 1000;
    secs[k] += s;
    return n / s;
  };
  for (const k of names) {
    lat[k] = [];
    secs[k] = 0;
    run(k, 300);
    lat[k] = [];
    secs[k] = 0;
  }
  const perRound: Record<K, number>[] = [];
  for (let round = 0; round < rounds; round++) {
    const rates = {} as Record<K, number>;
    for (const k of round % 2 === 0 ? names : [...names].reverse()) {
      rates[k] = run(k, budgetMs);
    }
    perRound.push(rates);
  }
  const rates = {} as Record<K, Rate>;
  for (const k of names) {
    rates[k] = summarize(lat[k], secs[k]);
  }
  return { rates, perRound };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Our HL7 tokenizer vs @medplum/core's Hl7Message.parse on the same 15 ORU fixtures, like for like:
 * - medplum: `Hl7Message.parse(text)` splits the text into lines (/[\r\n]+/), each line into fields, each field
 *   into repetitions and each repetition into components (String.split at every level) and wraps them in
 *   Hl7Segment/Hl7Field objects. Sub-components are split when read (getComponent); escapes are never decoded.
 * - ours (eager): `splitMessages` (CR, LF or CRLF, blank lines dropped, grouped into messages at MSH),
 *   `readDelimiters` (MSH-1/MSH-2, checked) and `toSegments(…, { eager: true })`: Segment objects numbered per
 *   name, every field split now into repetitions and components (one string per component, as medplum).
 *   Sub-components and escape sequences are decoded when read (`Segment.get`). No less work than medplum's.
 * - oursFull: our whole parse into a validated LabReport (fields split lazily, as in production): more work again.
 * Ours and medplum run in interleaved rounds so that load from other processes falls on both alike; `ratio` is
 * the median of the per-round ratios, `ratioMin`/`ratioMax` its range.
 */
export async function hl7Parse(rounds = 10, budgetMs = 300): Promise<{ ours: Rate; medplum: Rate; oursFull: Rate; ratio: number; ratioMin: number; ratioMax: number; rounds: number }> {
  const msgs = hl7Messages();
  /** Each side goes through the same messages in the same order. */
  const cycle = (): (() => string) => {
    let i = 0;
    return () => msgs[i++ % msgs.length] ?? '';
  };
  let sink = 0;
  const nextOurs = cycle();
  const nextMedplum = cycle();
  const ours = (): void => {
    for (const lines of splitMessages(nextOurs()).messages) {
      const d = readDelimiters(lines[0] ?? '');
      if (d !== undefined) {
        sink += toSegments(lines, d, { eager: true }).length;
      }
    }
  };
  const medplum = (): void => {
    sink += Hl7Message.parse(nextMedplum()).segments.length;
  };
  const { rates, perRound } = interleaved({ ours, medplum }, rounds, budgetMs);
  void sink;
  const ratios = perRound.map((r) => r.ours / r.medplum);
  const nextFull = cycle();
  const oursFull = await measure(() => parseHl7v2(nextFull()));
  return { ours: rates.ours, medplum: rates.medplum, oursFull, ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), rounds };
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
