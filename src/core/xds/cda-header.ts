/**
 * Reads what XDS metadata needs from a CI-SIS CDA header (standards.md §3.1, §3.2, §4.4 "CDA source").
 * Pure; collects issues with XPath-like paths, never throws on a missing element.
 */
import type { Element } from '@xmldom/xmldom';
import { issue, type Issue } from '../validation/issue.js';
import { INS_OIDS, NS } from './constants.js';
import { attr, childNs, childrenNs, parseXml, pathNs, text } from './dom.js';

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
const codeOf = (el: Element | undefined): CdaCode | undefined => {
  const code = attr(el, 'code');
  const codeSystem = attr(el, 'codeSystem');
  return code && codeSystem ? { code, codeSystem, ...(attr(el, 'displayName') ? { displayName: attr(el, 'displayName') } : {}) } : undefined;
};
const idOf = (el: Element | undefined): { root: string; extension?: string } | undefined => {
  const root = attr(el, 'root');
  if (!root) {
    return undefined;
  }
  const extension = attr(el, 'extension');
  return extension ? { root, extension } : { root };
};
export const uniqueIdOf = (id: { root: string; extension?: string }): string => (id.extension ? `${id.root}^${id.extension}` : id.root);

const nameParts = (name: Element | undefined): { family?: string; given?: string } => {
  const fam = childrenNs(name, H, 'family');
  const giv = childrenNs(name, H, 'given');
  const family = text(fam.find((f) => !attr(f, 'qualifier')) ?? fam.find((f) => attr(f, 'qualifier') === 'BR') ?? fam[0]);
  const given = text(giv.find((g) => !attr(g, 'qualifier')) ?? giv[0]);
  return { ...(family ? { family } : {}), ...(given ? { given } : {}) };
};

const person = (entity: Element | undefined, personName: string): CdaPerson | undefined => {
  if (!entity) {
    return undefined;
  }
  const org = childNs(entity, H, 'representedOrganization');
  const dev = childNs(entity, H, 'assignedAuthoringDevice');
  const id = idOf(childNs(entity, H, 'id'));
  const code = codeOf(childNs(entity, H, 'code'));
  const orgId = idOf(childNs(org, H, 'id'));
  const orgName = text(childNs(org, H, 'name'));
  const model = text(childNs(dev, H, 'manufacturerModelName'));
  const software = text(childNs(dev, H, 'softwareName'));
  return {
    ...(id ? { id } : {}),
    ...nameParts(pathNs(entity, H, [personName, 'name'])),
    ...(code ? { code } : {}),
    ...(org ? { organization: { ...(orgId ? { id: orgId } : {}), ...(orgName ? { name: orgName } : {}) } } : {}),
    ...(dev ? { device: { ...(model ? { manufacturerModelName: model } : {}), ...(software ? { softwareName: software } : {}) } } : {}),
  };
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

const documentElement = (xml: string, whole: boolean): Element | null => {
  const header = whole ? undefined : withoutBody(xml);
  if (header !== undefined) {
    try {
      return parseXml(header).documentElement;
    } catch {
      // fall through: the whole document, which names the real problem
    }
  }
  return parseXml(xml).documentElement;
};

/** `whole`: parse the body too (tests compare both ways). */
export const readCdaHeader = (xml: string, options: { readonly whole?: boolean } = {}): { header?: CdaHeader; issues: Issue[] } => {
  const issues: Issue[] = [];
  let root: Element | null;
  try {
    root = documentElement(xml, options.whole === true);
  } catch (e) {
    return { issues: [issue('error', 'XDS_DOCUMENT_UNREADABLE', '/', (e as Error).message)] };
  }
  if (!root || root.namespaceURI !== H || root.localName !== 'ClinicalDocument') {
    return { issues: [issue('error', 'XDS_DOCUMENT_UNREADABLE', '/', 'the document is not an HL7 CDA ClinicalDocument')] };
  }
  const P = '/ClinicalDocument';
  const patientRole = pathNs(root, H, ['recordTarget', 'patientRole']);
  const ids = childrenNs(patientRole, H, 'id').map((e) => ({ root: attr(e, 'root') ?? '', extension: attr(e, 'extension') ?? '' }));
  const insId = ids.find((i) => (INS_OIDS as readonly string[]).includes(i.root) && i.extension);
  const patient = childNs(patientRole, H, 'patient');
  const patientName = childNs(patient, H, 'name');
  const bornFamily = childrenNs(patientName, H, 'family').find((f) => attr(f, 'qualifier') === 'BR');
  const firstGiven = childrenNs(patientName, H, 'given').find((g) => attr(g, 'qualifier') === 'BR');
  const serviceEvent = pathNs(root, H, ['documentationOf', 'serviceEvent']);
  const serviceTime = childNs(serviceEvent, H, 'effectiveTime');
  const related = childrenNs(root, H, 'relatedDocument').find((r) => attr(r, 'typeCode') === 'RPLC');
  const parentId = idOf(pathNs(related, H, ['parentDocument', 'id']));
  const docId = idOf(childNs(root, H, 'id'));
  const setId = idOf(childNs(root, H, 'setId'));
  const version = attr(childNs(root, H, 'versionNumber'), 'value');
  const custodianOrg = pathNs(root, H, ['custodian', 'assignedCustodian', 'representedCustodianOrganization']);
  const custodianId = idOf(childNs(custodianOrg, H, 'id'));
  const custodianName = text(childNs(custodianOrg, H, 'name'));
  const legal = person(pathNs(root, H, ['legalAuthenticator', 'assignedEntity']), 'assignedPerson');
  const facility = codeOf(pathNs(root, H, ['componentOf', 'encompassingEncounter', 'location', 'healthCareFacility', 'code']));
  const practice = codeOf(pathNs(serviceEvent, H, ['performer', 'assignedEntity', 'representedOrganization', 'standardIndustryClassCode']))
    ?? codeOf(pathNs(root, H, ['legalAuthenticator', 'assignedEntity', 'representedOrganization', 'standardIndustryClassCode']));
  const low = attr(childNs(serviceTime, H, 'low'), 'value') ?? attr(serviceTime, 'value');
  const high = attr(childNs(serviceTime, H, 'high'), 'value');
  const labStatus = attr(childNs(serviceEvent, NS.lab, 'statusCode'), 'code');
  const code = codeOf(childNs(root, H, 'code'));
  const title = text(childNs(root, H, 'title'));
  const effectiveTime = attr(childNs(root, H, 'effectiveTime'), 'value');
  const confidentialityCode = codeOf(childNs(root, H, 'confidentialityCode'));
  const languageCode = attr(childNs(root, H, 'languageCode'), 'code');
  const birthTime = attr(childNs(patient, H, 'birthTime'), 'value');
  const sex = attr(childNs(patient, H, 'administrativeGenderCode'), 'code');
  const family = text(bornFamily);
  const given = text(firstGiven);

  const header: CdaHeader = {
    templateIds: childrenNs(root, H, 'templateId').map((t) => attr(t, 'root') ?? '').filter((t) => t !== ''),
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
    authors: childrenNs(root, H, 'author').flatMap((a) => {
      const p = person(childNs(a, H, 'assignedAuthor'), 'assignedPerson');
      return p ? [p] : [];
    }),
    ...(legal ? { legalAuthenticator: legal } : {}),
    ...(custodianOrg ? { custodian: { ...(custodianId ? { id: custodianId } : {}), ...(custodianName ? { name: custodianName } : {}) } } : {}),
    ...(facility ? { healthcareFacilityTypeCode: facility } : {}),
    ...(practice ? { practiceSettingCode: practice } : {}),
    ...(low ? { serviceStartTime: low } : {}),
    ...(high ? { serviceStopTime: high } : {}),
    orderIds: childrenNs(root, H, 'inFulfillmentOf').flatMap((f) => {
      const id = idOf(pathNs(f, H, ['order', 'id']));
      return id?.extension ? [{ root: id.root, extension: id.extension }] : [];
    }),
    ...(parentId ? { replacesUniqueId: uniqueIdOf(parentId) } : {}),
    ...(labStatus ? { labStatusCode: labStatus } : {}),
  };

  const need = (ok: unknown, path: string, what: string): void => {
    if (!ok) {
      issues.push(issue('error', 'XDS_METADATA_MISSING', `${P}/${path}`, `${what} is required for the XDS metadata`));
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
  return { header, issues };
};
