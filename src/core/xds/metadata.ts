/**
 * XDS metadata for one ITI-41 submission to the DMP: the CR-BIO DocumentEntry, the SubmissionSet, the
 * signature DocumentEntry and the associations (standards.md §4.4–§4.6). Pure: ids and times are passed in.
 */
import { createHash } from 'node:crypto';
import { issue, type Issue } from '../validation/issue.js';
import type { CdaHeader, CdaPerson } from './cda-header.js';
import {
  ASSOCIATION, CRBIO, HL7_CONFIDENTIALITY_SYSTEM, SIGNATURE_ENTRY, SIGNATURE_FORMAT_CODES, STRUCT_IDNAT_OID,
  VISIBILITY_DISPLAY, VISIBILITY_SYSTEM, type SignatureFormatCode, type VisibilityCode, type XdsCode,
} from './constants.js';
import { cwe, cx, dateToDtm, tsToUtc, xcnProfessional, xcnSystem, xon } from './hl7v2.js';

export interface XdsAuthor {
  readonly person?: string;
  readonly institutions: readonly string[];
  readonly roles: readonly string[];
  readonly specialties: readonly string[];
}

export interface DocumentEntry {
  /** entryUUID we propose (urn:uuid:…), used as the symbolic id in the submission. */
  readonly id: string;
  readonly uniqueId: string;
  readonly mimeType: string;
  readonly title: string;
  readonly classCode: XdsCode;
  readonly typeCode: XdsCode;
  readonly formatCode: XdsCode;
  readonly confidentialityCodes: readonly XdsCode[];
  readonly eventCodes: readonly XdsCode[];
  readonly healthcareFacilityTypeCode: XdsCode;
  readonly practiceSettingCode: XdsCode;
  readonly patientId: string;
  readonly sourcePatientId: string;
  readonly sourcePatientInfo: readonly string[];
  readonly creationTime: string;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
  readonly languageCode: string;
  readonly legalAuthenticator?: string;
  readonly authors: readonly XdsAuthor[];
  readonly referenceIdList: readonly string[];
  /** SHA-1, lower-case hex, of the exact bytes sent. */
  readonly hash: string;
  readonly size: number;
}

export interface SubmissionSet {
  readonly id: string;
  readonly uniqueId: string;
  readonly sourceId: string;
  readonly submissionTime: string;
  readonly patientId: string;
  readonly contentTypeCode: XdsCode;
  readonly author: XdsAuthor;
  readonly title?: string;
}

export interface Association {
  readonly id: string;
  readonly type: string;
  readonly sourceObject: string;
  readonly targetObject: string;
  readonly submissionSetStatus?: 'Original' | 'Reference';
}

export interface Submission {
  readonly submissionSet: SubmissionSet;
  readonly documents: readonly DocumentEntry[];
  readonly associations: readonly Association[];
}

/** Settings the metadata needs beyond the CDA (src/config: dmp.*). */
export interface XdsSettings {
  /** OID of the sending system (SubmissionSet.sourceId). */
  readonly sourceId: string;
  readonly contentTypeCode: XdsCode;
  /** INS OID to put in patientId when the CDA carries a test OID that the DMP platform does not expect (null: keep). */
  readonly patientIdOid?: string;
}

export const sha1Hex = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

const code = (c: { code: string; codeSystem: string; displayName?: string }): XdsCode => ({ code: c.code, codingScheme: c.codeSystem, display: c.displayName ?? c.code });

export const authorOf = (p: CdaPerson): XdsAuthor => {
  const org = p.organization;
  const institutions = org?.name && org.id?.extension && org.id.root === STRUCT_IDNAT_OID ? [xon(org.name, org.id.extension)] : org?.name ? [`${org.name}`] : [];
  let person: string | undefined;
  if (p.device && p.id?.extension) {
    person = xcnSystem(p.id.extension, p.device.softwareName ?? '', p.device.manufacturerModelName ?? '');
  } else if (p.id?.extension) {
    person = xcnProfessional({ id: p.id.extension, idOid: p.id.root, ...(p.family ? { family: p.family } : {}), ...(p.given ? { given: p.given } : {}) });
  }
  const specialties = p.code ? [cwe(p.code.code, p.code.displayName, p.code.codeSystem)] : [];
  return { ...(person ? { person } : {}), institutions, roles: [], specialties };
};

export interface CdaEntryInput {
  readonly header: CdaHeader;
  readonly bytes: Uint8Array;
  readonly entryUuid: string;
  readonly visibility: readonly VisibilityCode[];
  readonly settings: XdsSettings;
}

export const visibilityCode = (v: VisibilityCode): XdsCode => ({ code: v, codingScheme: VISIBILITY_SYSTEM, display: VISIBILITY_DISPLAY[v] });

/** The CR-BIO DocumentEntry (standards.md §4.4 table). Issues name the CDA element behind each problem. */
export const buildCdaDocumentEntry = (input: CdaEntryInput): { entry?: DocumentEntry; issues: Issue[] } => {
  const { header: h, settings } = input;
  const issues: Issue[] = [];
  const time = (ts: string | undefined, path: string): string | undefined => {
    if (!ts) {
      return undefined;
    }
    const r = tsToUtc(ts);
    if (!r.ok) {
      issues.push(issue('error', 'XDS_METADATA_INVALID', path, r.reason));
      return undefined;
    }
    return r.value;
  };
  const creationTime = time(h.effectiveTime, '/ClinicalDocument/effectiveTime/@value');
  const serviceStartTime = time(h.serviceStartTime, '/ClinicalDocument/documentationOf/serviceEvent/effectiveTime/low/@value');
  const serviceStopTime = time(h.serviceStopTime, '/ClinicalDocument/documentationOf/serviceEvent/effectiveTime/high/@value');
  if (h.code && h.code.code !== CRBIO.typeCode.code) {
    issues.push(issue('error', 'XDS_METADATA_INVALID', '/ClinicalDocument/code/@code', `the document code must be ${CRBIO.typeCode.code} for a CR-BIO`));
  }
  if (h.confidentialityCode && h.confidentialityCode.codeSystem !== HL7_CONFIDENTIALITY_SYSTEM) {
    issues.push(issue('error', 'XDS_METADATA_INVALID', '/ClinicalDocument/confidentialityCode/@codeSystem', 'the CDA confidentialityCode must come from HL7 Confidentiality (2.16.840.1.113883.5.25)'));
  }
  if (!h.uniqueId || !h.ins || !h.title || !h.confidentialityCode || !creationTime || !h.healthcareFacilityTypeCode || !h.practiceSettingCode || !serviceStartTime) {
    return { issues };
  }
  const patientId = cx(h.ins.value, settings.patientIdOid ?? h.ins.oid, 'NH');
  const ipp = h.otherPatientIds[0];
  const info = [
    ...(h.patient.family ? [`PID-5|${h.patient.family}^${h.patient.given ?? ''}^^^^^L`] : []),
    ...(h.patient.birthTime ? [`PID-7|${h.patient.birthTime.slice(0, 8)}`] : []),
    ...(h.patient.sex ? [`PID-8|${h.patient.sex}`] : []),
  ];
  const uniqVis = [...new Set(input.visibility)];
  const entry: DocumentEntry = {
    id: input.entryUuid,
    uniqueId: h.uniqueId,
    mimeType: 'text/xml',
    title: h.title,
    classCode: CRBIO.classCode,
    typeCode: CRBIO.typeCode,
    formatCode: CRBIO.formatCode,
    confidentialityCodes: [code(h.confidentialityCode), ...uniqVis.map(visibilityCode)],
    eventCodes: [],
    healthcareFacilityTypeCode: code(h.healthcareFacilityTypeCode),
    practiceSettingCode: code(h.practiceSettingCode),
    patientId,
    sourcePatientId: ipp ? cx(ipp.extension, ipp.root, 'PI') : patientId,
    sourcePatientInfo: info,
    creationTime,
    serviceStartTime,
    ...(serviceStopTime ? { serviceStopTime } : {}),
    languageCode: h.languageCode ?? 'fr-FR',
    ...(h.legalAuthenticator?.id?.extension
      ? { legalAuthenticator: xcnProfessional({ id: h.legalAuthenticator.id.extension, idOid: h.legalAuthenticator.id.root, ...(h.legalAuthenticator.family ? { family: h.legalAuthenticator.family } : {}), ...(h.legalAuthenticator.given ? { given: h.legalAuthenticator.given } : {}) }) }
      : {}),
    authors: h.authors.map(authorOf),
    referenceIdList: h.orderIds.map((o) => `${o.extension}^^^&${o.root}&ISO^urn:ihe:iti:xds:2013:order`),
    hash: sha1Hex(input.bytes),
    size: input.bytes.byteLength,
  };
  return { entry, issues };
};

export interface SubmissionSetInput {
  readonly id: string;
  readonly uniqueId: string;
  readonly submissionTime: Date;
  readonly main: DocumentEntry;
  readonly settings: XdsSettings;
}

export const buildSubmissionSet = (input: SubmissionSetInput): SubmissionSet => ({
  id: input.id,
  uniqueId: input.uniqueId,
  sourceId: input.settings.sourceId,
  submissionTime: dateToDtm(input.submissionTime),
  patientId: input.main.patientId,
  contentTypeCode: input.settings.contentTypeCode,
  author: input.main.authors[0] ?? { institutions: [], roles: [], specialties: [] },
});

export interface SignatureEntryInput {
  readonly entryUuid: string;
  /** ds:Signature/@Id, as an OID-like unique id. */
  readonly uniqueId: string;
  readonly bytes: Uint8Array;
  readonly main: DocumentEntry;
  readonly submissionTime: Date;
  readonly formatCode: SignatureFormatCode;
}

/** The signature DocumentEntry (standards.md §4.5 table, after DRIMbox). */
export const buildSignatureEntry = (input: SignatureEntryInput): DocumentEntry => ({
  id: input.entryUuid,
  uniqueId: input.uniqueId,
  mimeType: 'text/xml',
  title: SIGNATURE_ENTRY.title,
  classCode: SIGNATURE_ENTRY.classCode,
  typeCode: SIGNATURE_ENTRY.typeCode,
  formatCode: SIGNATURE_FORMAT_CODES[input.formatCode],
  confidentialityCodes: [
    { code: 'N', codingScheme: HL7_CONFIDENTIALITY_SYSTEM, display: 'Normal' },
    visibilityCode('MASQUE_PS'),
    visibilityCode('INVISIBLE_PATIENT'),
  ],
  eventCodes: [SIGNATURE_ENTRY.eventCode],
  healthcareFacilityTypeCode: input.main.healthcareFacilityTypeCode,
  practiceSettingCode: input.main.practiceSettingCode,
  patientId: input.main.patientId,
  sourcePatientId: input.main.sourcePatientId,
  sourcePatientInfo: [],
  creationTime: dateToDtm(input.submissionTime),
  serviceStartTime: dateToDtm(input.submissionTime),
  serviceStopTime: dateToDtm(input.submissionTime),
  languageCode: SIGNATURE_ENTRY.languageCode,
  ...(input.main.legalAuthenticator ? { legalAuthenticator: input.main.legalAuthenticator } : {}),
  authors: input.main.authors.slice(0, 1),
  referenceIdList: [],
  hash: sha1Hex(input.bytes),
  size: input.bytes.byteLength,
});

export interface AssociationIds {
  /** One id per association, in order: HasMember per document, then RPLC, then signs. */
  readonly next: () => string;
}

/** HasMember for every document, RPLC from the CR-BIO entry to the replaced entryUUID, signs from the signature entry. */
export const buildAssociations = (
  ss: SubmissionSet,
  docs: readonly DocumentEntry[],
  opts: { readonly ids: AssociationIds; readonly replacesEntryUuid?: string; readonly signatureEntryId?: string; readonly mainEntryId: string },
): Association[] => [
  ...docs.map((d) => ({ id: opts.ids.next(), type: ASSOCIATION.hasMember, sourceObject: ss.id, targetObject: d.id, submissionSetStatus: 'Original' as const })),
  ...(opts.replacesEntryUuid ? [{ id: opts.ids.next(), type: ASSOCIATION.rplc, sourceObject: opts.mainEntryId, targetObject: opts.replacesEntryUuid }] : []),
  ...(opts.signatureEntryId ? [{ id: opts.ids.next(), type: ASSOCIATION.signs, sourceObject: opts.signatureEntryId, targetObject: ss.id }] : []),
];


