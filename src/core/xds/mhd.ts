/**
 * The MHD ITI-65 "Provide Document Bundle" for one CR-BIO, per the ANS PDSm comprehensive profiles
 * (standards.md §4.9): a transaction Bundle with the SubmissionSet List, the DocumentReference and the Binary.
 * Built from the same DocumentEntry metadata as the XDS route. Pure: ids and time are passed in.
 */
import { createHash } from 'node:crypto';
import type { Issue } from '../validation/issue.js';
import { cdaHeaderFor, type CdaHeader } from './cda-header.js';
import type { VisibilityCode } from './constants.js';
import { uuidToOid } from './hl7v2.js';
import { buildCdaDocumentEntry, type DocumentEntry, type XdsSettings } from './metadata.js';

export type FhirJson = { readonly [key: string]: unknown };

const PDSM = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition';
const IHE_EXT = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';

/** XDS DTM (UTC, YYYYMMDD[hhmm[ss]]) to a FHIR dateTime. */
export const dtmToFhir = (dtm: string): string => {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?$/.exec(dtm);
  if (!m) {
    return dtm;
  }
  const [, y, mo, d, h, mi, s] = m;
  if (!mo) {
    return y ?? dtm;
  }
  if (!d) {
    return `${y}-${mo}`;
  }
  if (!h) {
    return `${y}-${mo}-${d}`;
  }
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}Z`;
};

const oidUri = (oid: string): string => `urn:oid:${oid}`;
const coding = (system: string, code: string, display?: string): FhirJson => ({ system: system.includes(':') ? system : oidUri(system), code, ...(display ? { display } : {}) });

export interface MhdBundleInput {
  readonly header: CdaHeader;
  readonly entry: DocumentEntry;
  readonly bytes: Uint8Array;
  readonly submissionSetUniqueId: string;
  readonly submissionTime: Date;
  /** UUIDs (no urn:uuid: prefix) of the List, the DocumentReference and the Binary. */
  readonly ids: { readonly list: string; readonly documentReference: string; readonly binary: string };
  readonly settings: XdsSettings;
  /** uniqueId of the replaced document (relatesTo replaces). */
  readonly replacesUniqueId?: string;
}

export const buildMhdBundle = (input: MhdBundleInput): FhirJson => {
  const { header: h, entry: e } = input;
  const ins = h.ins;
  const subject = ins ? { identifier: { system: oidUri(input.settings.patientIdOid ?? ins.oid), value: ins.value } } : {};
  const author = h.authors[0];
  const authorOrg = author?.organization;
  const contained: FhirJson[] = [{
    resourceType: 'PractitionerRole',
    id: 'author-1',
    ...(author?.id?.extension ? { practitioner: { identifier: { system: oidUri(author.id.root), value: author.id.extension }, ...(author.family ? { display: [author.given, author.family].filter(Boolean).join(' ') } : {}) } } : {}),
    ...(authorOrg?.id?.extension ? { organization: { identifier: { system: oidUri(authorOrg.id.root), value: authorOrg.id.extension }, ...(authorOrg.name ? { display: authorOrg.name } : {}) } } : {}),
    ...(author?.code ? { specialty: [{ coding: [coding(author.code.codeSystem, author.code.code, author.code.displayName)] }] } : {}),
  }];
  const docRefUrl = `urn:uuid:${input.ids.documentReference}`;
  const binaryUrl = `urn:uuid:${input.ids.binary}`;
  const list: FhirJson = {
    resourceType: 'List',
    meta: { profile: [`${PDSM}/pdsm-submissionset-comprehensive`] },
    contained,
    extension: [
      { url: `${IHE_EXT}/ihe-sourceId`, valueIdentifier: { value: oidUri(input.settings.sourceId) } },
      { url: `${IHE_EXT}/ihe-designationType`, valueCodeableConcept: { coding: [coding(input.settings.contentTypeCode.codingScheme, input.settings.contentTypeCode.code, input.settings.contentTypeCode.display)] } },
    ],
    identifier: [
      { use: 'usual', system: 'urn:ietf:rfc:3986', value: oidUri(input.submissionSetUniqueId) },
      { use: 'official', system: 'urn:ietf:rfc:3986', value: `urn:uuid:${input.ids.list}` },
    ],
    status: 'current',
    mode: 'working',
    code: { coding: [{ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' }] },
    subject,
    date: input.submissionTime.toISOString(),
    source: { reference: '#author-1' },
    entry: [{ item: { reference: docRefUrl } }],
  };
  const documentReference: FhirJson = {
    resourceType: 'DocumentReference',
    meta: { profile: [`${PDSM}/pdsm-comprehensive-document-reference`] },
    contained,
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: oidUri(e.uniqueId) },
    identifier: [{ use: 'official', system: 'urn:ietf:rfc:3986', value: docRefUrl }],
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: e.typeCode.code, display: e.typeCode.display }] },
    category: [{ coding: [coding(e.classCode.codingScheme, e.classCode.code, e.classCode.display)] }],
    subject,
    date: dtmToFhir(e.creationTime),
    author: [{ reference: '#author-1' }],
    ...(h.legalAuthenticator?.id?.extension ? { authenticator: { identifier: { system: oidUri(h.legalAuthenticator.id.root), value: h.legalAuthenticator.id.extension } } } : {}),
    custodian: h.custodian?.id?.extension ? { identifier: { system: oidUri(h.custodian.id.root), value: h.custodian.id.extension }, ...(h.custodian.name ? { display: h.custodian.name } : {}) } : { display: 'custodian' },
    ...(input.replacesUniqueId ? { relatesTo: [{ code: 'replaces', target: { identifier: { system: 'urn:ietf:rfc:3986', value: oidUri(input.replacesUniqueId) } } }] } : {}),
    securityLabel: e.confidentialityCodes.map((c) => ({ coding: [coding(c.codingScheme, c.code, c.display)] })),
    content: [{
      attachment: {
        contentType: e.mimeType,
        language: e.languageCode,
        url: binaryUrl,
        size: input.bytes.byteLength,
        hash: createHash('sha1').update(input.bytes).digest('base64'),
        title: e.title,
        creation: dtmToFhir(e.creationTime),
      },
      format: coding(e.formatCode.codingScheme, e.formatCode.code, e.formatCode.display),
    }],
    context: {
      ...(e.serviceStartTime ? { period: { start: dtmToFhir(e.serviceStartTime), ...(e.serviceStopTime ? { end: dtmToFhir(e.serviceStopTime) } : {}) } } : {}),
      facilityType: { coding: [coding(e.healthcareFacilityTypeCode.codingScheme, e.healthcareFacilityTypeCode.code, e.healthcareFacilityTypeCode.display)] },
      practiceSetting: { coding: [coding(e.practiceSettingCode.codingScheme, e.practiceSettingCode.code, e.practiceSettingCode.display)] },
      ...(h.orderIds.length ? { related: h.orderIds.map((o) => ({ identifier: { type: { coding: [{ system: 'urn:ietf:rfc:3986', code: 'urn:ihe:iti:xds:2013:order' }] }, system: oidUri(o.root), value: o.extension } })) } : {}),
    },
  };
  const binary: FhirJson = { resourceType: 'Binary', contentType: e.mimeType, data: Buffer.from(input.bytes).toString('base64') };
  return {
    resourceType: 'Bundle',
    meta: { profile: [`${PDSM}/pdsm-comprehensive-provide-document-bundle`] },
    type: 'transaction',
    entry: [
      { fullUrl: `urn:uuid:${input.ids.list}`, resource: list, request: { method: 'POST', url: 'List' } },
      { fullUrl: docRefUrl, resource: documentReference, request: { method: 'POST', url: 'DocumentReference' } },
      { fullUrl: binaryUrl, resource: binary, request: { method: 'POST', url: 'Binary' } },
    ],
  };
};

export interface CdaToMhdInput {
  readonly xml: string;
  readonly settings: XdsSettings;
  readonly visibility: readonly VisibilityCode[];
  /** UUIDs (no prefix) for the List, the DocumentReference, the Binary and the submission set uniqueId. */
  readonly ids: { readonly list: string; readonly documentReference: string; readonly binary: string; readonly submissionSet: string };
  readonly now: Date;
  readonly replacesUniqueId?: string;
  /** The header of `xml` when it was read already (stored with the document): then `xml` is not parsed. */
  readonly header?: CdaHeader;
}

/** `convert --to mhd`: a CR-BIO CDA to its ITI-65 Bundle, or the issues that prevent it. */
export const cdaToMhdBundle = (input: CdaToMhdInput): { bundle?: FhirJson; issues: Issue[] } => {
  const bytes = Buffer.from(input.xml, 'utf8');
  const { header, issues } = cdaHeaderFor(input.xml, input.header);
  if (!header) {
    return { issues };
  }
  const built = buildCdaDocumentEntry({ header, bytes, entryUuid: `urn:uuid:${input.ids.documentReference}`, visibility: input.visibility, settings: input.settings });
  const all = [...issues, ...built.issues];
  if (!built.entry || all.some((i) => i.severity === 'error')) {
    return { issues: all };
  }
  const replaces = input.replacesUniqueId ?? header.replacesUniqueId;
  return {
    bundle: buildMhdBundle({
      header, entry: built.entry, bytes, submissionSetUniqueId: uuidToOid(input.ids.submissionSet), submissionTime: input.now,
      ids: input.ids, settings: input.settings, ...(replaces ? { replacesUniqueId: replaces } : {}),
    }),
    issues: all,
  };
};
