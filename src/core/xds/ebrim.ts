/**
 * ebRIM 3.0 XML for ITI-41 (ProvideAndRegisterDocumentSetRequest) and ITI-18 (AdhocQueryRequest), written as a
 * small tree (src/core/cda/xml.ts: values escaped). IHE ITI TF-3 §4.2.3 (metadata attributes), ITI TF-2b §3.41,
 * §3.18. Deterministic.
 */
import { el, writeXml, type XElement } from '../cda/xml.js';
import { NS, OBJECT_TYPE, SCHEME, STORED_QUERY_GET_DOCUMENTS, type XdsCode } from './constants.js';
import type { DocumentEntry, Submission, SubmissionSet, XdsAuthor } from './metadata.js';

const slot = (name: string, values: readonly string[]): XElement =>
  el('rim:Slot', { name }, el('rim:ValueList', {}, ...values.map((v) => el('rim:Value', {}, v))));

const localized = (tag: 'rim:Name' | 'rim:Description', value: string): XElement =>
  el(tag, {}, el('rim:LocalizedString', { value, charset: 'UTF-8', 'xml:lang': 'fr-FR' }));

/** A Classification for a coded value: nodeRepresentation = code, slot codingScheme, Name = display. */
const coded = (scheme: string, objectId: string, id: string, c: XdsCode): XElement =>
  el('rim:Classification', { id, objectType: OBJECT_TYPE.classification, classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: c.code },
    slot('codingScheme', [c.codingScheme]), localized('rim:Name', c.display));

const externalId = (scheme: string, objectId: string, id: string, value: string, name: string): XElement =>
  el('rim:ExternalIdentifier', { id, objectType: OBJECT_TYPE.externalIdentifier, identificationScheme: scheme, registryObject: objectId, value },
    localized('rim:Name', name));

const author = (scheme: string, objectId: string, id: string, a: XdsAuthor): XElement =>
  el('rim:Classification', { id, objectType: OBJECT_TYPE.classification, classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: '' },
    a.person ? slot('authorPerson', [a.person]) : undefined,
    a.institutions.length ? slot('authorInstitution', a.institutions) : undefined,
    a.roles.length ? slot('authorRole', a.roles) : undefined,
    a.specialties.length ? slot('authorSpecialty', a.specialties) : undefined);

/** Local ids of Classifications / ExternalIdentifiers: derived from the owner's id, so output is deterministic. */
const sub = (owner: string, n: number): string => `${owner}-${String(n).padStart(2, '0')}`.replace(/^urn:uuid:/, 'cl-');

const documentEntry = (d: DocumentEntry): XElement => {
  let n = 0;
  const k = (): string => sub(d.id, ++n);
  return el('rim:ExtrinsicObject', { id: d.id, mimeType: d.mimeType, objectType: OBJECT_TYPE.stableDocumentEntry },
    slot('creationTime', [d.creationTime]),
    slot('hash', [d.hash]),
    slot('languageCode', [d.languageCode]),
    d.legalAuthenticator ? slot('legalAuthenticator', [d.legalAuthenticator]) : undefined,
    d.referenceIdList.length ? slot('urn:ihe:iti:xds:2013:referenceIdList', d.referenceIdList) : undefined,
    d.serviceStartTime ? slot('serviceStartTime', [d.serviceStartTime]) : undefined,
    d.serviceStopTime ? slot('serviceStopTime', [d.serviceStopTime]) : undefined,
    slot('size', [String(d.size)]),
    slot('sourcePatientId', [d.sourcePatientId]),
    d.sourcePatientInfo.length ? slot('sourcePatientInfo', d.sourcePatientInfo) : undefined,
    localized('rim:Name', d.title),
    ...d.authors.map((a) => author(SCHEME.de.author, d.id, k(), a)),
    coded(SCHEME.de.classCode, d.id, k(), d.classCode),
    ...d.confidentialityCodes.map((c) => coded(SCHEME.de.confidentialityCode, d.id, k(), c)),
    ...d.eventCodes.map((c) => coded(SCHEME.de.eventCodeList, d.id, k(), c)),
    coded(SCHEME.de.formatCode, d.id, k(), d.formatCode),
    coded(SCHEME.de.healthcareFacilityTypeCode, d.id, k(), d.healthcareFacilityTypeCode),
    coded(SCHEME.de.practiceSettingCode, d.id, k(), d.practiceSettingCode),
    coded(SCHEME.de.typeCode, d.id, k(), d.typeCode),
    externalId(SCHEME.de.patientId, d.id, k(), d.patientId, 'XDSDocumentEntry.patientId'),
    externalId(SCHEME.de.uniqueId, d.id, k(), d.uniqueId, 'XDSDocumentEntry.uniqueId'));
};

const submissionSet = (s: SubmissionSet): XElement[] => {
  let n = 0;
  const k = (): string => sub(s.id, ++n);
  return [
    el('rim:RegistryPackage', { id: s.id, objectType: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage' },
      slot('submissionTime', [s.submissionTime]),
      s.title ? localized('rim:Name', s.title) : undefined,
      author(SCHEME.ss.author, s.id, k(), s.author),
      coded(SCHEME.ss.contentTypeCode, s.id, k(), s.contentTypeCode),
      externalId(SCHEME.ss.uniqueId, s.id, k(), s.uniqueId, 'XDSSubmissionSet.uniqueId'),
      externalId(SCHEME.ss.sourceId, s.id, k(), s.sourceId, 'XDSSubmissionSet.sourceId'),
      externalId(SCHEME.ss.patientId, s.id, k(), s.patientId, 'XDSSubmissionSet.patientId')),
    el('rim:Classification', { id: k(), objectType: OBJECT_TYPE.classification, classifiedObject: s.id, classificationNode: OBJECT_TYPE.submissionSetNode }),
  ];
};

/**
 * The body of ITI-41. `contentIds` gives, per DocumentEntry id, the MIME Content-ID of the part that carries
 * its bytes (referenced with xop:Include).
 */
export const provideAndRegisterXml = (s: Submission, contentIds: Readonly<Record<string, string>>): string => {
  const list = el('rim:RegistryObjectList', {},
    ...submissionSet(s.submissionSet),
    ...s.documents.map((d) => documentEntry(d)),
    ...s.associations.map((a) => el('rim:Association', { id: a.id, objectType: OBJECT_TYPE.association, associationType: a.type, sourceObject: a.sourceObject, targetObject: a.targetObject },
      a.submissionSetStatus ? slot('SubmissionSetStatus', [a.submissionSetStatus]) : undefined)));
  const documents = s.documents.map((d) => {
    const cid = contentIds[d.id];
    if (cid === undefined) {
      throw new Error(`no MIME part for document entry ${d.id}`);
    }
    return el('xdsb:Document', { id: d.id }, el('xop:Include', { href: `cid:${encodeURIComponent(cid)}` }));
  });
  return writeXml(el('xdsb:ProvideAndRegisterDocumentSetRequest', { 'xmlns:xdsb': NS.xdsb, 'xmlns:lcm': NS.lcm, 'xmlns:rim': NS.rim, 'xmlns:xop': NS.xop },
    el('lcm:SubmitObjectsRequest', {}, list), documents));
};

/** ITI-18 GetDocuments by uniqueId, LeafClass (the entry with its status). */
export const getDocumentsQueryXml = (uniqueId: string): string =>
  writeXml(el('query:AdhocQueryRequest', { 'xmlns:query': NS.query, 'xmlns:rim': NS.rim },
    el('query:ResponseOption', { returnComposedObjects: 'true', returnType: 'LeafClass' }),
    el('rim:AdhocQuery', { id: STORED_QUERY_GET_DOCUMENTS }, slot('$XDSDocumentEntryUniqueId', [`('${uniqueId.replace(/'/g, "''")}')`]))));
