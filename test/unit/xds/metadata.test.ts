import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import {
  ASSOCIATION, buildAssociations, buildCdaDocumentEntry, buildSignatureEntry, buildSubmissionSet, CRBIO, getDocumentsQueryXml,
  provideAndRegisterXml, readCdaHeader, SCHEME, tsToUtc, uuidToOid, type XdsSettings,
} from '../../../src/core/xds/index.js';

const examples = resolve(import.meta.dirname, '../../../../shared/reference/cda/ExemplesCDA');
const example = (name: string): Buffer => readFileSync(resolve(examples, `BIO-CR-BIO_2024.01_${name}.xml`));
const settings: XdsSettings = { sourceId: '1.2.250.1.999.1.9', contentTypeCode: { code: '07', codingScheme: '1.2.250.1.213.2.2', display: 'Consultation externe' } };

const build = (name: string, visibility: readonly ('INVISIBLE_PATIENT' | 'MASQUE_PS' | 'INVISIBLE_REPRESENTANTS_LEGAUX')[] = []) => {
  const bytes = example(name);
  const { header, issues } = readCdaHeader(bytes.toString('utf8'));
  assert.deepEqual(issues, []);
  const r = buildCdaDocumentEntry({ header: header!, bytes, entryUuid: 'urn:uuid:11111111-1111-4111-8111-111111111111', visibility, settings });
  assert.deepEqual(r.issues, []);
  return { bytes, header: header!, entry: r.entry! };
};

describe('XDS metadata from a CR-BIO CDA (standards.md §4.4)', () => {
  it('reads the header of the official TSH example and builds the DocumentEntry', () => {
    const { bytes, entry } = build('TSH_1');
    assert.equal(entry.uniqueId, '1.2.250.1.213.1.1.1.55.2024.9.1');
    assert.deepEqual(entry.classCode, CRBIO.classCode);
    assert.equal(entry.typeCode.code, '11502-2');
    assert.equal(entry.formatCode.code, 'urn:ihe:lab:xd-lab:2008');
    assert.equal(entry.patientId, '279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
    assert.equal(entry.sourcePatientId, '1234567890121^^^&1.2.3.4.567.8.9.10&ISO^PI');
    // effectiveTime 20210401171000+0100 is 16:10 UTC.
    assert.equal(entry.creationTime, '20210401161000');
    assert.equal(entry.serviceStartTime, '20210104082200');
    assert.equal(entry.serviceStopTime, '20210104150500');
    assert.equal(entry.healthcareFacilityTypeCode.code, 'SA25');
    assert.equal(entry.practiceSettingCode.code, 'AMBULATOIRE');
    assert.equal(entry.hash, createHash('sha1').update(bytes).digest('hex'));
    assert.equal(entry.size, bytes.byteLength);
    assert.equal(entry.legalAuthenticator, '801234534765^CAMPARINI^Marcel^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS');
    assert.equal(entry.authors[0]?.institutions[0], 'Laboratoire des charmes^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1120459876');
    assert.deepEqual(entry.referenceIdList, ['2014123456789^^^&1.2.250.1.213.1.1.9&ISO^urn:ihe:iti:xds:2013:order']);
    assert.deepEqual(entry.confidentialityCodes.map((c) => c.code), ['N']);
  });

  it('adds the DMP visibility codes after the HL7 confidentiality code', () => {
    const { entry } = build('TSH_1', ['INVISIBLE_PATIENT', 'MASQUE_PS']);
    assert.deepEqual(entry.confidentialityCodes.map((c) => `${c.code}|${c.codingScheme}`), [
      'N|2.16.840.1.113883.5.25', 'INVISIBLE_PATIENT|1.2.250.1.213.1.1.4.13', 'MASQUE_PS|1.2.250.1.213.1.1.4.13',
    ]);
  });

  it('writes an author of type system for a device author (TSH_2)', () => {
    const { entry } = build('TSH_2');
    assert.match(entry.authors[0]?.person ?? '', /^801234534765\^.*\^U\^\^\^RI$/);
  });

  it('reads the RPLC parent of a second version (Microbiologie_V2)', () => {
    const { header } = build('Microbiologie_V2');
    assert.equal(header.replacesUniqueId, '1.2.250.1.213.1.1.1.55.12345.13');
    assert.equal(header.versionNumber, 2);
  });

  it('names every missing element with its XPath', () => {
    const xml = example('TSH_1').toString('utf8').replace(/<title>[^<]*<\/title>/, '').replace(/<healthCareFacility>[\s\S]*?<\/healthCareFacility>/, '');
    const { issues } = readCdaHeader(xml);
    assert.deepEqual(issues.map((i) => i.path), ['/ClinicalDocument/title', '/ClinicalDocument/componentOf/encompassingEncounter/location/healthCareFacility/code']);
    assert.ok(issues.every((i) => i.code === 'XDS_METADATA_MISSING' && i.severity === 'error'));
  });

  it('refuses a creation time without a UTC offset and a non-CDA input', () => {
    const xml = example('TSH_1').toString('utf8').replace('20210401171000+0100', '20210401171000');
    const { header } = readCdaHeader(xml);
    const r = buildCdaDocumentEntry({ header: header!, bytes: Buffer.from(xml), entryUuid: 'urn:uuid:x', visibility: [], settings });
    assert.equal(r.entry, undefined);
    assert.equal(r.issues[0]?.path, '/ClinicalDocument/effectiveTime/@value');
    assert.equal(readCdaHeader('<a/>').issues[0]?.code, 'XDS_DOCUMENT_UNREADABLE');
    assert.equal(readCdaHeader('<a>').issues[0]?.code, 'XDS_DOCUMENT_UNREADABLE');
  });

  it('converts HL7 TS to UTC at the precision given', () => {
    assert.deepEqual(tsToUtc('20201231233000-0230'), { ok: true, value: '20210101020000' });
    assert.deepEqual(tsToUtc('202101040735+0100'), { ok: true, value: '202101040635' });
    assert.deepEqual(tsToUtc('20210104'), { ok: true, value: '20210104' });
    assert.equal(tsToUtc('2021-01-04').ok, false);
    assert.equal(uuidToOid('00000000-0000-0000-0000-00000000000a'), '2.25.10');
  });
});

describe('ebRIM for ITI-41', () => {
  const { entry } = build('Microbiologie_V2', ['INVISIBLE_PATIENT']);
  const time = new Date('2026-01-02T03:04:05Z');
  const ss = buildSubmissionSet({ id: 'urn:uuid:22222222-2222-4222-8222-222222222222', uniqueId: '2.25.1', submissionTime: time, main: entry, settings });
  const sig = buildSignatureEntry({ entryUuid: 'urn:uuid:33333333-3333-4333-8333-333333333333', uniqueId: '2.25.2', bytes: Buffer.from('<sig/>'), main: entry, submissionTime: time, formatCode: 'http://www.w3.org/2000/09/xmldsig#' });
  let n = 0;
  const assocs = buildAssociations(ss, [entry, sig], { ids: { next: () => `urn:uuid:a-${++n}` }, replacesEntryUuid: 'urn:uuid:44444444-4444-4444-8444-444444444444', signatureEntryId: sig.id, mainEntryId: entry.id });
  const xml = provideAndRegisterXml({ submissionSet: ss, documents: [entry, sig], associations: assocs }, { [entry.id]: 'doc1@x', [sig.id]: 'sig@x' });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
  const all = (tag: string) => Array.from(doc.getElementsByTagNameNS(RIM, tag));

  it('holds the submission set, two entries, HasMember ×2, RPLC and signs', () => {
    assert.equal(all('RegistryPackage').length, 1);
    assert.equal(all('ExtrinsicObject').length, 2);
    const types = all('Association').map((a) => `${a.getAttribute('associationType')} ${a.getAttribute('sourceObject')} ${a.getAttribute('targetObject')}`);
    assert.deepEqual(types, [
      `${ASSOCIATION.hasMember} ${ss.id} ${entry.id}`,
      `${ASSOCIATION.hasMember} ${ss.id} ${sig.id}`,
      `${ASSOCIATION.rplc} ${entry.id} urn:uuid:44444444-4444-4444-8444-444444444444`,
      `${ASSOCIATION.signs} ${sig.id} ${ss.id}`,
    ]);
  });

  it('writes patientId and uniqueId as ExternalIdentifiers and codes as Classifications', () => {
    const ext = all('ExternalIdentifier').filter((e) => e.getAttribute('registryObject') === entry.id);
    assert.equal(ext.find((e) => e.getAttribute('identificationScheme') === SCHEME.de.patientId)?.getAttribute('value'), entry.patientId);
    assert.equal(ext.find((e) => e.getAttribute('identificationScheme') === SCHEME.de.uniqueId)?.getAttribute('value'), entry.uniqueId);
    const conf = all('Classification').filter((c) => c.getAttribute('classifiedObject') === entry.id && c.getAttribute('classificationScheme') === SCHEME.de.confidentialityCode);
    assert.deepEqual(conf.map((c) => c.getAttribute('nodeRepresentation')), ['N', 'INVISIBLE_PATIENT']);
    const docs = Array.from(doc.getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document'));
    assert.deepEqual(docs.map((d) => d.getElementsByTagNameNS('http://www.w3.org/2004/08/xop/include', 'Include')[0]?.getAttribute('href')), ['cid:doc1%40x', 'cid:sig%40x']);
  });

  it('is deterministic for the same ids and time', () => {
    const again = provideAndRegisterXml({ submissionSet: ss, documents: [entry, sig], associations: assocs }, { [entry.id]: 'doc1@x', [sig.id]: 'sig@x' });
    assert.equal(again, xml);
  });

  it('writes an ITI-18 GetDocuments query by uniqueId', () => {
    const q = getDocumentsQueryXml("1.2.3^a'b");
    assert.match(q, /urn:uuid:5c4f972b-987b-4a36-b4f3-e4a7b8a3e6b5/);
    assert.match(q, /\('1\.2\.3\^a''b'\)/);
  });
});
