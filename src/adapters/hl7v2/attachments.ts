/**
 * OBX of type ED: the SIL's PDF of the report, or the SIL's own CDA (CI-SIS volet "Transmission de documents CDA
 * en HL7 v2", V2.1: OBX-5 = `^TEXT^XML^Base64^<CDA>`). The embedded CDA's recordTarget must agree with PID.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { PatientIdentity } from '../../core/report/model.js';
import { isInsOid } from '../../core/report/ins.js';
import type { MapContext } from './context.js';
import type { Segment } from './tokenize.js';

export type EdKind = 'pdf' | 'cda' | 'other';

export interface EdValue {
  readonly kind: EdKind;
  readonly base64: string;
  readonly path: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads OBX-5 ED (source^type^subtype^encoding^data); undefined after an issue. */
export const readEd = (obx: Segment, ctx: MapContext): EdValue | undefined => {
  const type = obx.get(5, 2).trim().toUpperCase();
  const subtype = obx.get(5, 3).trim().toUpperCase();
  const encoding = obx.get(5, 4).trim().toUpperCase();
  const data = obx.get(5, 5).replace(/\s+/g, '');
  const path = obx.path(5, undefined, 5);
  if (data === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', path, 'OBX-5 (ED) has no data (ED.5).');
    return undefined;
  }
  if (encoding !== 'BASE64') {
    ctx.error('HL7_VALUE_INVALID', obx.path(5, undefined, 4), `OBX-5 (ED) encoding "${encoding}" is not supported; use Base64.`);
    return undefined;
  }
  if (!BASE64.test(data)) {
    ctx.error('HL7_VALUE_INVALID', path, 'OBX-5 (ED) data is not valid Base64.');
    return undefined;
  }
  let kind: EdKind = 'other';
  if (subtype === 'PDF' || (type === 'APPLICATION' && subtype === 'PDF')) {
    kind = 'pdf';
  } else if (subtype === 'XML' || subtype === 'X-HL7-CDA-LEVEL-ONE') {
    kind = 'cda';
  }
  if (kind === 'pdf' && !Buffer.from(data.slice(0, 16), 'base64').toString('latin1').startsWith('%PDF-')) {
    ctx.error('HL7_VALUE_INVALID', path, 'OBX-5 (ED) is declared PDF but the decoded data does not start with %PDF-.');
    return undefined;
  }
  return { kind, base64: data, path };
};

const V3 = 'urn:hl7-org:v3';

interface CdaPatient {
  readonly ins?: { value: string; oid: string };
  readonly birthName?: string;
  readonly firstGivenName?: string;
  readonly sex?: string;
  readonly birthTime?: string;
  readonly hasStructuredBody: boolean;
}

const childElements = (el: Element, localName: string): Element[] => {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === localName && (n as Element).namespaceURI === V3) {
      out.push(n as Element);
    }
  }
  return out;
};

/** Parses the decoded CDA; undefined (with an issue) when it is not a CDA document. */
export const readCdaPatient = (ed: EdValue, ctx: MapContext): CdaPatient | undefined => {
  const xml = Buffer.from(ed.base64, 'base64').toString('utf8').replace(/^\uFEFF/, '');
  if (!xml.trimStart().startsWith('<')) {
    ctx.error('REPORT_EMBEDDED_CDA_INVALID', ed.path, 'OBX-5 (ED, XML) does not decode to an XML document (a CDA is expected).');
    return undefined;
  }
  let doc: Document;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  } catch {
    ctx.error('REPORT_EMBEDDED_CDA_INVALID', ed.path, 'OBX-5 (ED, XML) decodes to XML that is not well-formed.');
    return undefined;
  }
  const root = doc.documentElement;
  if (root === null || root.localName !== 'ClinicalDocument' || root.namespaceURI !== V3) {
    ctx.error('REPORT_EMBEDDED_CDA_INVALID', ed.path, 'OBX-5 (ED, XML) is not an HL7 CDA R2 ClinicalDocument.');
    return undefined;
  }
  const patientRole = childElements(root, 'recordTarget').flatMap((rt) => childElements(rt, 'patientRole'))[0];
  const hasStructuredBody = childElements(root, 'component').some((c) => childElements(c, 'structuredBody').length > 0);
  if (patientRole === undefined) {
    ctx.error('REPORT_EMBEDDED_CDA_INVALID', ed.path, 'The embedded CDA has no recordTarget/patientRole.');
    return undefined;
  }
  const insEl = childElements(patientRole, 'id').find((i) => isInsOid(i.getAttribute('root') ?? ''));
  const patient = childElements(patientRole, 'patient')[0];
  const name = patient === undefined ? undefined : childElements(patient, 'name')[0];
  const byQualifier = (tag: string, q: string): string | undefined =>
    name === undefined ? undefined : childElements(name, tag).find((e) => (e.getAttribute('qualifier') ?? '').split(/\s+/).includes(q))?.textContent?.trim();
  return {
    ...(insEl !== undefined ? { ins: { value: insEl.getAttribute('extension') ?? '', oid: insEl.getAttribute('root') ?? '' } } : {}),
    ...(byQualifier('family', 'BR') !== undefined ? { birthName: byQualifier('family', 'BR') } : {}),
    ...(byQualifier('given', 'BR') !== undefined ? { firstGivenName: byQualifier('given', 'BR') } : {}),
    ...(patient !== undefined ? { sex: childElements(patient, 'administrativeGenderCode')[0]?.getAttribute('code') ?? undefined } : {}),
    ...(patient !== undefined ? { birthTime: childElements(patient, 'birthTime')[0]?.getAttribute('value') ?? undefined } : {}),
    hasStructuredBody,
  };
};

const same = (a: string | undefined, b: string | undefined): boolean => (a ?? '').trim().toUpperCase() === (b ?? '').trim().toUpperCase();

/** The embedded CDA's recordTarget must name the PID patient: INS, birth name, first name, sex, birth date. */
export const checkCdaAgainstPid = (cda: CdaPatient, pid: PatientIdentity, ed: EdValue, ctx: MapContext): void => {
  const differing: string[] = [];
  if (cda.ins?.value !== pid.ins?.value || cda.ins?.oid !== pid.ins?.oid) {
    differing.push('INS');
  }
  if (!same(cda.birthName, pid.birthName)) {
    differing.push('birth name');
  }
  if (cda.firstGivenName !== undefined && !same(cda.firstGivenName, pid.firstGivenName)) {
    differing.push('first birth first name');
  }
  if (cda.sex !== undefined && !same(cda.sex, pid.sex)) {
    differing.push('sex');
  }
  const pidBirth = pid.birthDate.replace(/-/g, '').replace(/(00)+$/, '');
  if (cda.birthTime !== undefined && !cda.birthTime.startsWith(pidBirth)) {
    differing.push('birth date');
  }
  if (differing.length > 0) {
    ctx.error(
      'REPORT_EMBEDDED_CDA_MISMATCH',
      ed.path,
      `The embedded CDA's recordTarget disagrees with PID on: ${differing.join(', ')}.`,
    );
  }
};
