/**
 * ebRIM 3.0 XML for ITI-41 (ProvideAndRegisterDocumentSetRequest) and ITI-18 (AdhocQueryRequest), written with
 * @xmldom/xmldom. IHE ITI TF-3 §4.2.3 (metadata attributes), ITI TF-2b §3.41, §3.18. Deterministic.
 */
import type { Element } from '@xmldom/xmldom';
import { NS, OBJECT_TYPE, SCHEME, STORED_QUERY_GET_DOCUMENTS, type XdsCode } from './constants.js';
import { newDocument, serialize, type XmlBuilder } from './dom.js';
import type { DocumentEntry, Submission, SubmissionSet, XdsAuthor } from './metadata.js';

const R = NS.rim;

const slot = (b: XmlBuilder, name: string, values: readonly string[]): Element =>
  b.el(R, 'rim:Slot', { name }, b.el(R, 'rim:ValueList', {}, ...values.map((v) => b.el(R, 'rim:Value', {}, v))));

const localized = (b: XmlBuilder, tag: 'rim:Name' | 'rim:Description', value: string): Element =>
  b.el(R, tag, {}, b.el(R, 'rim:LocalizedString', { value, charset: 'UTF-8', 'xml:lang': 'fr-FR' }));

/** A Classification for a coded value: nodeRepresentation = code, slot codingScheme, Name = display. */
const coded = (b: XmlBuilder, scheme: string, objectId: string, id: string, c: XdsCode): Element =>
  b.el(R, 'rim:Classification', { id, objectType: OBJECT_TYPE.classification, classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: c.code },
    slot(b, 'codingScheme', [c.codingScheme]), localized(b, 'rim:Name', c.display));

const externalId = (b: XmlBuilder, scheme: string, objectId: string, id: string, value: string, name: string): Element =>
  b.el(R, 'rim:ExternalIdentifier', { id, objectType: OBJECT_TYPE.externalIdentifier, identificationScheme: scheme, registryObject: objectId, value },
    localized(b, 'rim:Name', name));

const author = (b: XmlBuilder, scheme: string, objectId: string, id: string, a: XdsAuthor): Element =>
  b.el(R, 'rim:Classification', { id, objectType: OBJECT_TYPE.classification, classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: '' },
    a.person ? slot(b, 'authorPerson', [a.person]) : undefined,
    a.institutions.length ? slot(b, 'authorInstitution', a.institutions) : undefined,
    a.roles.length ? slot(b, 'authorRole', a.roles) : undefined,
    a.specialties.length ? slot(b, 'authorSpecialty', a.specialties) : undefined);

/** Local ids of Classifications / ExternalIdentifiers: derived from the owner's id, so output is deterministic. */
const sub = (owner: string, n: number): string => `${owner}-${String(n).padStart(2, '0')}`.replace(/^urn:uuid:/, 'cl-');

const documentEntry = (b: XmlBuilder, d: DocumentEntry): Element => {
  let n = 0;
  const k = (): string => sub(d.id, ++n);
  return b.el(R, 'rim:ExtrinsicObject', { id: d.id, mimeType: d.mimeType, objectType: OBJECT_TYPE.stableDocumentEntry },
    slot(b, 'creationTime', [d.creationTime]),
    slot(b, 'hash', [d.hash]),
    slot(b, 'languageCode', [d.languageCode]),
    d.legalAuthenticator ? slot(b, 'legalAuthenticator', [d.legalAuthenticator]) : undefined,
    d.referenceIdList.length ? slot(b, 'urn:ihe:iti:xds:2013:referenceIdList', d.referenceIdList) : undefined,
    d.serviceStartTime ? slot(b, 'serviceStartTime', [d.serviceStartTime]) : undefined,
    d.serviceStopTime ? slot(b, 'serviceStopTime', [d.serviceStopTime]) : undefined,
    slot(b, 'size', [String(d.size)]),
    slot(b, 'sourcePatientId', [d.sourcePatientId]),
    d.sourcePatientInfo.length ? slot(b, 'sourcePatientInfo', d.sourcePatientInfo) : undefined,
    localized(b, 'rim:Name', d.title),
    ...d.authors.map((a) => author(b, SCHEME.de.author, d.id, k(), a)),
    coded(b, SCHEME.de.classCode, d.id, k(), d.classCode),
    ...d.confidentialityCodes.map((c) => coded(b, SCHEME.de.confidentialityCode, d.id, k(), c)),
    ...d.eventCodes.map((c) => coded(b, SCHEME.de.eventCodeList, d.id, k(), c)),
    coded(b, SCHEME.de.formatCode, d.id, k(), d.formatCode),
    coded(b, SCHEME.de.healthcareFacilityTypeCode, d.id, k(), d.healthcareFacilityTypeCode),
    coded(b, SCHEME.de.practiceSettingCode, d.id, k(), d.practiceSettingCode),
    coded(b, SCHEME.de.typeCode, d.id, k(), d.typeCode),
    externalId(b, SCHEME.de.patientId, d.id, k(), d.patientId, 'XDSDocumentEntry.patientId'),
    externalId(b, SCHEME.de.uniqueId, d.id, k(), d.uniqueId, 'XDSDocumentEntry.uniqueId'));
};

const submissionSet = (b: XmlBuilder, s: SubmissionSet): Element[] => {
  let n = 0;
  const k = (): string => sub(s.id, ++n);
  return [
    b.el(R, 'rim:RegistryPackage', { id: s.id, objectType: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage' },
      slot(b, 'submissionTime', [s.submissionTime]),
      s.title ? localized(b, 'rim:Name', s.title) : undefined,
      author(b, SCHEME.ss.author, s.id, k(), s.author),
      coded(b, SCHEME.ss.contentTypeCode, s.id, k(), s.contentTypeCode),
      externalId(b, SCHEME.ss.uniqueId, s.id, k(), s.uniqueId, 'XDSSubmissionSet.uniqueId'),
      externalId(b, SCHEME.ss.sourceId, s.id, k(), s.sourceId, 'XDSSubmissionSet.sourceId'),
      externalId(b, SCHEME.ss.patientId, s.id, k(), s.patientId, 'XDSSubmissionSet.patientId')),
    b.el(R, 'rim:Classification', { id: k(), objectType: OBJECT_TYPE.classification, classifiedObject: s.id, classificationNode: OBJECT_TYPE.submissionSetNode }),
  ];
};

/**
 * The body of ITI-41. `contentIds` gives, per DocumentEntry id, the MIME Content-ID of the part that carries
 * its bytes (referenced with xop:Include).
 */
export const provideAndRegisterXml = (s: Submission, contentIds: Readonly<Record<string, string>>): string => {
  const b = newDocument(NS.xdsb, 'xdsb:ProvideAndRegisterDocumentSetRequest', { xdsb: NS.xdsb, lcm: NS.lcm, rim: NS.rim, xop: NS.xop });
  const list = b.el(R, 'rim:RegistryObjectList', {},
    ...submissionSet(b, s.submissionSet),
    ...s.documents.map((d) => documentEntry(b, d)),
    ...s.associations.map((a) => b.el(R, 'rim:Association', { id: a.id, objectType: OBJECT_TYPE.association, associationType: a.type, sourceObject: a.sourceObject, targetObject: a.targetObject },
      a.submissionSetStatus ? slot(b, 'SubmissionSetStatus', [a.submissionSetStatus]) : undefined)));
  b.root.appendChild(b.el(NS.lcm, 'lcm:SubmitObjectsRequest', {}, list));
  for (const d of s.documents) {
    const cid = contentIds[d.id];
    if (cid === undefined) {
      throw new Error(`no MIME part for document entry ${d.id}`);
    }
    b.root.appendChild(b.el(NS.xdsb, 'xdsb:Document', { id: d.id }, b.el(NS.xop, 'xop:Include', { href: `cid:${encodeURIComponent(cid)}` })));
  }
  return serialize(b.root);
};

/** ITI-18 GetDocuments by uniqueId, LeafClass (the entry with its status). */
export const getDocumentsQueryXml = (uniqueId: string): string => {
  const b = newDocument(NS.query, 'query:AdhocQueryRequest', { query: NS.query, rim: NS.rim });
  b.root.appendChild(b.el(NS.query, 'query:ResponseOption', { returnComposedObjects: 'true', returnType: 'LeafClass' }));
  b.root.appendChild(b.el(R, 'rim:AdhocQuery', { id: STORED_QUERY_GET_DOCUMENTS },
    slot(b, '$XDSDocumentEntryUniqueId', [`('${uniqueId.replace(/'/g, "''")}')`])));
  return serialize(b.root);
};
