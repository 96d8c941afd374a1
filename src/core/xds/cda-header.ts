/**
 * Reads what XDS metadata needs from a CI-SIS CDA header (standards.md §3.1, §3.2, §4.4 "CDA source").
 * Pure; collects issues with XPath-like paths, never throws on a missing element. The reading goes through
 * `CdaXmlView` (src/core/cda/rules.ts): xmldom on the text by default, or a tree another parser already holds
 * (the document worker reads it from the libxml2 tree of the conformance gate and stores it with the document).
 */
import type { Document } from '@xmldom/xmldom';
import { domView, type CdaXmlView } from '../cda/rules.js';
import { issue, type Issue } from '../validation/issue.js';
import { INS_OIDS, NS } from './constants.js';
import { parseXml } from './dom.js';

export interface CdaCode {
  readonly code: string;
  readonly codeSystem: string;
  readonly displayName?: string;
}

export interface CdaPerson {
  /** id/@extension and @root, e.g. 801234534765 under 1.2.250.1.71.4.2.1. */
  readonly id?: { readonly root: string; readonly extension?: string };
  readonly family?: string;
  readonly given?: string;
  readonly code?: CdaCode;
  readonly organization?: { readonly id?: { readonly root: string; readonly extension?: string }; readonly name?: string };
  /** assignedAuthoringDevice: the SIL as author. */
  readonly device?: { readonly manufacturerModelName?: string; readonly softwareName?: string };
}

export interface CdaHeader {
  readonly templateIds: readonly string[];
  /** id/@root, with ^extension when there is one (the XDS uniqueId form). */
  readonly uniqueId?: string;
  readonly setId?: string;
  readonly versionNumber?: number;
  readonly code?: CdaCode;
  readonly title?: string;
  readonly effectiveTime?: string;
  readonly confidentialityCode?: CdaCode;
  readonly languageCode?: string;
  readonly ins?: { readonly value: string; readonly oid: string };
  /** Other patientRole ids (IPP…). */
  readonly otherPatientIds: readonly { readonly root: string; readonly extension: string }[];
  readonly patient: { readonly family?: string; readonly given?: string; readonly birthTime?: string; readonly sex?: string };
  readonly authors: readonly CdaPerson[];
  readonly legalAuthenticator?: CdaPerson;
  readonly custodian?: { readonly id?: { readonly root: string; readonly extension?: string }; readonly name?: string };
  readonly healthcareFacilityTypeCode?: CdaCode;
  readonly practiceSettingCode?: CdaCode;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
  readonly orderIds: readonly { readonly root: string; readonly extension: string }[];
  /** relatedDocument RPLC parentDocument/id, in uniqueId form. */
  readonly replacesUniqueId?: string;
  /** documentationOf[1]/serviceEvent/lab:statusCode/@code. */
  readonly labStatusCode?: string;
}

const H = NS.hl7;
type Id = { root: string; extension?: string };
export const uniqueIdOf = (id: { root: string; extension?: string }): string => (id.extension ? `${id.root}^${id.extension}` : id.root);

/** The header reader's lookups over a view: child steps one at a time (the first child at each step), as XPath `a[1]/b[1]`. */
const lookups = <E>(v: CdaXmlView<E>) => {
  const attr = (el: E | undefined, name: string): string | undefined => {
    const a = el === undefined ? null : v.attr(el, name);
    return a === null || a === '' ? undefined : a;
  };
  const text = (el: E | undefined): string | undefined => (el === undefined ? undefined : v.text(el).trim() || undefined);
  const children = (el: E | undefined, local: string, ns: string = H): E[] => (el === undefined ? [] : v.path(el, local, ns));
  const child = (el: E | undefined, local: string, ns: string = H): E | undefined => (el === undefined ? undefined : v.first(el, local, ns));
  const path = (el: E | undefined, steps: readonly string[]): E | undefined => steps.reduce<E | undefined>((cur, s) => child(cur, s), el);
  const codeOf = (el: E | undefined): CdaCode | undefined => {
    const code = attr(el, 'code');
    const codeSystem = attr(el, 'codeSystem');
    const displayName = attr(el, 'displayName');
    return code && codeSystem ? { code, codeSystem, ...(displayName ? { displayName } : {}) } : undefined;
  };
  const idOf = (el: E | undefined): Id | undefined => {
    const root = attr(el, 'root');
    if (!root) {
      return undefined;
    }
    const extension = attr(el, 'extension');
    return extension ? { root, extension } : { root };
  };
  const nameParts = (name: E | undefined): { family?: string; given?: string } => {
    const fam = children(name, 'family');
    const giv = children(name, 'given');
    const family = text(fam.find((f) => !attr(f, 'qualifier')) ?? fam.find((f) => attr(f, 'qualifier') === 'BR') ?? fam[0]);
    const given = text(giv.find((g) => !attr(g, 'qualifier')) ?? giv[0]);
    return { ...(family ? { family } : {}), ...(given ? { given } : {}) };
  };
  const person = (entity: E | undefined, personName: string): CdaPerson | undefined => {
    if (!entity) {
      return undefined;
    }
    const org = child(entity, 'representedOrganization');
    const dev = child(entity, 'assignedAuthoringDevice');
    const id = idOf(child(entity, 'id'));
    const code = codeOf(child(entity, 'code'));
    const orgId = idOf(child(org, 'id'));
    const orgName = text(child(org, 'name'));
    const model = text(child(dev, 'manufacturerModelName'));
    const software = text(child(dev, 'softwareName'));
    return {
      ...(id ? { id } : {}),
      ...nameParts(path(entity, [personName, 'name'])),
      ...(code ? { code } : {}),
      ...(org ? { organization: { ...(orgId ? { id: orgId } : {}), ...(orgName ? { name: orgName } : {}) } } : {}),
      ...(dev ? { device: { ...(model ? { manufacturerModelName: model } : {}), ...(software ? { softwareName: software } : {}) } } : {}),
    };
  };
  return { attr, text, children, child, path, codeOf, idOf, person };
};

/** The body's start: the root's last child `component` holding structuredBody or nonXMLBody (CDA R2 §4.3). */
const BODY_START = /<([A-Za-z_][\w.-]*:)?component\b[^>]*>\s*(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*:)?(?:structuredBody|nonXMLBody)\b/;

/**
 * The document without its body: the header is all XDS metadata needs, and the body (results, the PDF copy in
 * base64) is most of the bytes. Undefined when the body cannot be told apart; then the whole document is read.
 */
export const withoutBody = (xml: string): string | undefined => {
  const m = BODY_START.exec(xml);
  const end = xml.lastIndexOf('</');
  return m && end > m.index ? xml.slice(0, m.index) + xml.slice(end) : undefined;
};

const parsed = (xml: string, whole: boolean): Document => {
  const header = whole ? undefined : withoutBody(xml);
  if (header !== undefined) {
    try {
      return parseXml(header);
    } catch {
      // fall through: the whole document, which names the real problem
    }
  }
  return parseXml(xml);
};

/**
 * Reads the header from the text, parsed with xmldom (only the header, unless `whole`: parse the body too, tests
 * compare both ways).
 */
export const readCdaHeader = (xml: string, options: { readonly whole?: boolean } = {}): { header?: CdaHeader; issues: Issue[] } => {
  let doc: Document;
  try {
    doc = parsed(xml, options.whole === true);
  } catch (e) {
    return { issues: [issue('error', 'XDS_DOCUMENT_UNREADABLE', '/', (e as Error).message)] };
  }
  return readCdaHeaderFrom(domView(doc));
};

/**
 * Reads the header through a view of a document already parsed: xmldom (`readCdaHeader`) or the libxml2 tree
 * the conformance gate parsed (src/adapters/validation/libxml-rules.ts), with the same result.
 */
export const readCdaHeaderFrom = <E>(v: CdaXmlView<E>): { header?: CdaHeader; issues: Issue[] } => {
  const root = v.root;
  if (root === undefined || !v.is(root, H, 'ClinicalDocument')) {
    return { issues: [issue('error', 'XDS_DOCUMENT_UNREADABLE', '/', 'the document is not an HL7 CDA ClinicalDocument')] };
  }
  const { attr, text, children, child, path, codeOf, idOf, person } = lookups(v);
  const patientRole = path(root, ['recordTarget', 'patientRole']);
  const ids = children(patientRole, 'id').map((e) => ({ root: attr(e, 'root') ?? '', extension: attr(e, 'extension') ?? '' }));
  const insId = ids.find((i) => (INS_OIDS as readonly string[]).includes(i.root) && i.extension);
  const patient = child(patientRole, 'patient');
  const patientName = child(patient, 'name');
  const bornFamily = children(patientName, 'family').find((f) => attr(f, 'qualifier') === 'BR');
  const firstGiven = children(patientName, 'given').find((g) => attr(g, 'qualifier') === 'BR');
  const serviceEvent = path(root, ['documentationOf', 'serviceEvent']);
  const serviceTime = child(serviceEvent, 'effectiveTime');
  const related = children(root, 'relatedDocument').find((r) => attr(r, 'typeCode') === 'RPLC');
  const parentId = idOf(path(related, ['parentDocument', 'id']));
  const docId = idOf(child(root, 'id'));
  const setId = idOf(child(root, 'setId'));
  const version = attr(child(root, 'versionNumber'), 'value');
  const custodianOrg = path(root, ['custodian', 'assignedCustodian', 'representedCustodianOrganization']);
  const custodianId = idOf(child(custodianOrg, 'id'));
  const custodianName = text(child(custodianOrg, 'name'));
  const legal = person(path(root, ['legalAuthenticator', 'assignedEntity']), 'assignedPerson');
  const facility = codeOf(path(root, ['componentOf', 'encompassingEncounter', 'location', 'healthCareFacility', 'code']));
  const practice = codeOf(path(serviceEvent, ['performer', 'assignedEntity', 'representedOrganization', 'standardIndustryClassCode']))
    ?? codeOf(path(root, ['legalAuthenticator', 'assignedEntity', 'representedOrganization', 'standardIndustryClassCode']));
  const low = attr(child(serviceTime, 'low'), 'value') ?? attr(serviceTime, 'value');
  const high = attr(child(serviceTime, 'high'), 'value');
  const labStatus = attr(child(serviceEvent, 'statusCode', NS.lab), 'code');
  const code = codeOf(child(root, 'code'));
  const title = text(child(root, 'title'));
  const effectiveTime = attr(child(root, 'effectiveTime'), 'value');
  const confidentialityCode = codeOf(child(root, 'confidentialityCode'));
  const languageCode = attr(child(root, 'languageCode'), 'code');
  const birthTime = attr(child(patient, 'birthTime'), 'value');
  const sex = attr(child(patient, 'administrativeGenderCode'), 'code');
  const family = text(bornFamily);
  const given = text(firstGiven);

  const header: CdaHeader = {
    templateIds: children(root, 'templateId').map((t) => attr(t, 'root') ?? '').filter((t) => t !== ''),
    ...(docId ? { uniqueId: uniqueIdOf(docId) } : {}),
    ...(setId ? { setId: uniqueIdOf(setId) } : {}),
    ...(version && /^\d+$/.test(version) ? { versionNumber: Number(version) } : {}),
    ...(code ? { code } : {}),
    ...(title ? { title } : {}),
    ...(effectiveTime ? { effectiveTime } : {}),
    ...(confidentialityCode ? { confidentialityCode } : {}),
    ...(languageCode ? { languageCode } : {}),
    ...(insId ? { ins: { value: insId.extension, oid: insId.root } } : {}),
    otherPatientIds: ids.filter((i) => i !== insId && i.root && i.extension),
    patient: { ...(family ? { family } : {}), ...(given ? { given } : {}), ...(birthTime ? { birthTime } : {}), ...(sex ? { sex } : {}) },
    authors: children(root, 'author').flatMap((a) => {
      const p = person(child(a, 'assignedAuthor'), 'assignedPerson');
      return p ? [p] : [];
    }),
    ...(legal ? { legalAuthenticator: legal } : {}),
    ...(custodianOrg ? { custodian: { ...(custodianId ? { id: custodianId } : {}), ...(custodianName ? { name: custodianName } : {}) } } : {}),
    ...(facility ? { healthcareFacilityTypeCode: facility } : {}),
    ...(practice ? { practiceSettingCode: practice } : {}),
    ...(low ? { serviceStartTime: low } : {}),
    ...(high ? { serviceStopTime: high } : {}),
    orderIds: children(root, 'inFulfillmentOf').flatMap((f) => {
      const id = idOf(path(f, ['order', 'id']));
      return id?.extension ? [{ root: id.root, extension: id.extension }] : [];
    }),
    ...(parentId ? { replacesUniqueId: uniqueIdOf(parentId) } : {}),
    ...(labStatus ? { labStatusCode: labStatus } : {}),
  };
  return { header, issues: cdaHeaderIssues(header) };
};

/**
 * A header read when the document was built (stored with it), if it is the header of document `uniqueId`: a
 * delivery uses it only then, and parses the document otherwise.
 */
export const headerNaming = (header: CdaHeader | undefined, uniqueId: string): CdaHeader | undefined =>
  header?.uniqueId === uniqueId ? header : undefined;

/**
 * The header for the metadata of `xml`: `known` when it was read already (when the document was built, stored with
 * it), with the issues `readCdaHeader` would give; otherwise `readCdaHeader(xml)`.
 */
export const cdaHeaderFor = (xml: string, known: CdaHeader | undefined): { header?: CdaHeader; issues: Issue[] } =>
  known ? { header: known, issues: cdaHeaderIssues(known) } : readCdaHeader(xml);

/** What the XDS metadata needs and the header lacks: the issues `readCdaHeader` gives with a header. */
export const cdaHeaderIssues = (header: CdaHeader): Issue[] => {
  const issues: Issue[] = [];
  const need = (ok: unknown, path: string, what: string): void => {
    if (!ok) {
      issues.push(issue('error', 'XDS_METADATA_MISSING', `/ClinicalDocument/${path}`, `${what} is required for the XDS metadata`));
    }
  };
  need(header.uniqueId, 'id/@root', 'the document id');
  need(header.setId, 'setId/@root', 'the setId');
  need(header.versionNumber, 'versionNumber/@value', 'the version number');
  need(header.title, 'title', 'the title (XDSDocumentEntry.title)');
  need(header.effectiveTime, 'effectiveTime/@value', 'effectiveTime (XDSDocumentEntry.creationTime)');
  need(header.confidentialityCode, 'confidentialityCode', 'confidentialityCode');
  need(header.ins, 'recordTarget/patientRole/id', 'the patient INS (XDSDocumentEntry.patientId)');
  need(header.authors.length > 0, 'author/assignedAuthor', 'an author');
  need(header.legalAuthenticator?.id, 'legalAuthenticator/assignedEntity/id', 'the legal authenticator');
  need(header.healthcareFacilityTypeCode, 'componentOf/encompassingEncounter/location/healthCareFacility/code', 'healthcareFacilityTypeCode');
  need(header.practiceSettingCode, 'documentationOf/serviceEvent/performer/assignedEntity/representedOrganization/standardIndustryClassCode', 'practiceSettingCode');
  need(header.serviceStartTime, 'documentationOf/serviceEvent/effectiveTime/low/@value', 'serviceStartTime');
  return issues;
};
