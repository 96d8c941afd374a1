/**
 * Our own structural rules for a CR-BIO 2024.01 document: the checks that matter most from the CI-SIS header
 * and CR-BIO schematrons (standards.md §1.6, §3), run on every document even without the ANS kit. Pure:
 * the XML text in, issues with XPath out.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { issue, type Issue } from '../validation/issue.js';
import { DOC_CODE, DOC_TITLE } from './codes.js';
import { LOINC } from './datatypes.js';
import { lineOfNonXmlChar } from './xml.js';

const V3 = 'urn:hl7-org:v3';
const LAB = 'urn:oid:1.3.6.1.4.1.19376.1.3.2';
const INS_ROOTS = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

const kids = (e: Element | Document, name: string, ns = V3): Element[] =>
  Array.from(e.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === ns);
const path = (e: Element | Document, steps: string): Element[] =>
  steps.split('/').reduce<(Element | Document)[]>((acc, s) => acc.flatMap((x) => kids(x, s)), [e]) as Element[];
const first = (e: Element | Document, steps: string): Element | undefined => path(e, steps)[0];

/** XPath of an element with 1-based positions among same-name siblings: /ClinicalDocument[1]/component[1]… */
export const xpathOf = (e: Element): string => {
  const parts: string[] = [];
  let cur: Element | null = e;
  while (cur && cur.nodeType === 1) {
    const name = cur.localName ?? cur.nodeName;
    let pos = 1;
    for (let s = cur.previousSibling; s; s = s.previousSibling) {
      if (s.nodeType === 1 && (s as Element).localName === name) {
        pos++;
      }
    }
    parts.unshift(`${name}[${pos}]`);
    cur = cur.parentNode && cur.parentNode.nodeType === 1 ? (cur.parentNode as Element) : null;
  }
  return `/${parts.join('/')}`;
};

const withTemplate = (doc: Document, root: string): Element[] =>
  Array.from(doc.getElementsByTagNameNS(V3, 'templateId'))
    .filter((t) => t.getAttribute('root') === root)
    .map((t) => t.parentNode as Element);

/** Parses XML; returns the document or the parse problems as issues. */
export const parseCda = (xml: string): { doc?: Document; issues: Issue[] } => {
  const issues: Issue[] = [];
  const notWellFormed = (msg: string): void => {
    issues.push(issue('error', 'XML_NOT_WELL_FORMED', '/', `The document is not well-formed XML: ${msg.split('\n')[0] ?? ''}`));
  };
  const bad = lineOfNonXmlChar(xml);
  if (bad !== undefined) {
    notWellFormed(`line ${bad} holds a character XML 1.0 does not allow (a control character or a lone surrogate)`);
    return { issues };
  }
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') {
          notWellFormed(msg);
        }
      },
    }).parseFromString(xml, 'text/xml');
  } catch (e) {
    // xmldom throws a ParseError on fatal errors, after reporting them through onError
    if (issues.length === 0) {
      notWellFormed(e instanceof Error ? e.message : 'parse error');
    }
  }
  return issues.length > 0 || !doc ? { issues } : { doc, issues };
};

export const checkCrBio = (xml: string): Issue[] => {
  const { doc, issues } = parseCda(xml);
  if (!doc) {
    return issues;
  }
  const err = (code: string, p: string, message: string): void => {
    issues.push(issue('error', code, p, message));
  };
  const cd = doc.documentElement;
  if (!cd || cd.localName !== 'ClinicalDocument' || cd.namespaceURI !== V3) {
    err('CDA_ROOT', '/', 'The root element must be ClinicalDocument in the urn:hl7-org:v3 namespace.');
    return issues;
  }
  const roots = kids(cd, 'templateId').map((t) => t.getAttribute('root'));
  for (const t of ['1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.3.3']) {
    if (!roots.includes(t)) {
      err('CDA_TEMPLATE_MISSING', '/ClinicalDocument[1]/templateId', `templateId ${t} is required.`);
    }
  }
  const code = first(cd, 'code');
  if (!code || code.getAttribute('code') !== DOC_CODE.code || code.getAttribute('codeSystem') !== LOINC || code.getAttribute('displayName') !== DOC_CODE.display) {
    err('CDA_DOC_CODE', '/ClinicalDocument[1]/code[1]', `code must be ${DOC_CODE.code} (LOINC) with displayName "${DOC_CODE.display}".`);
  }
  if (first(cd, 'title')?.textContent !== DOC_TITLE) {
    err('CDA_TITLE', '/ClinicalDocument[1]/title[1]', `title must be "${DOC_TITLE}".`);
  }
  if (!first(cd, 'id')?.getAttribute('root')) {
    err('CDA_ID_MISSING', '/ClinicalDocument[1]/id[1]', 'The document id is required.');
  }
  if (!first(cd, 'setId')?.getAttribute('root')) {
    err('CDA_SETID_MISSING', '/ClinicalDocument[1]/setId[1]', 'setId is required.');
  }
  const version = Number(first(cd, 'versionNumber')?.getAttribute('value'));
  if (!Number.isInteger(version) || version < 1) {
    err('CDA_VERSION_INVALID', '/ClinicalDocument[1]/versionNumber[1]', 'versionNumber must be a positive integer.');
  }
  const rplc = kids(cd, 'relatedDocument').filter((r) => r.getAttribute('typeCode') === 'RPLC');
  if (version > 1 && rplc.length === 0) {
    err('CDA_RPLC_MISSING', '/ClinicalDocument[1]/relatedDocument', 'A version after the first must carry relatedDocument RPLC.');
  }
  if (!/^\d{12,14}(\.\d+)?[+-]\d{4}$/.test(first(cd, 'effectiveTime')?.getAttribute('value') ?? '')) {
    err('CDA_EFFECTIVE_TIME_INVALID', '/ClinicalDocument[1]/effectiveTime[1]', 'effectiveTime must be a date-time with a time-zone offset.');
  }
  const lang = first(cd, 'languageCode')?.getAttribute('code') ?? '';
  if (!/^[a-z]{2}-[A-Z]{2}$/.test(lang)) {
    err('CDA_LANGUAGE', '/ClinicalDocument[1]/languageCode[1]', 'languageCode must look like fr-FR.');
  }
  // recordTarget: INS → strict traits (structuration minimale, CI-SISRecordTarget)
  const role = first(cd, 'recordTarget/patientRole');
  if (!role) {
    err('CDA_RECORD_TARGET', '/ClinicalDocument[1]/recordTarget[1]', 'recordTarget/patientRole is required.');
  } else if (!kids(role, 'id').some((i) => i.getAttribute('root') && !i.getAttribute('nullFlavor'))) {
    err('CDA_PATIENT_ID_MISSING', '/ClinicalDocument[1]/recordTarget[1]/patientRole[1]', 'The patient needs an identifier (qualified INS or local IPP).');
  } else if (kids(role, 'id').some((i) => INS_ROOTS.includes(i.getAttribute('root') ?? ''))) {
    const p = '/ClinicalDocument[1]/recordTarget[1]/patientRole[1]/patient[1]';
    const name = first(role, 'patient/name');
    const fam = name ? kids(name, 'family') : [];
    const giv = name ? kids(name, 'given') : [];
    if (!fam.some((f) => f.getAttribute('qualifier') === 'BR')) {
      err('CDA_INS_TRAITS', `${p}/name[1]`, 'With an INS, the birth name (family qualifier BR) is required.');
    }
    if (!giv.some((g) => g.getAttribute('qualifier') === 'BR') || !giv.some((g) => !g.getAttribute('qualifier'))) {
      err('CDA_INS_TRAITS', `${p}/name[1]`, 'With an INS, the first birth first name (given BR) and the list of birth first names (given without qualifier) are required.');
    }
    if (!first(role, 'patient/birthTime')?.getAttribute('value')) {
      err('CDA_INS_TRAITS', `${p}/birthTime[1]`, 'With an INS, the birth date is required.');
    }
    if (!first(role, 'patient/administrativeGenderCode')?.getAttribute('code')) {
      err('CDA_INS_TRAITS', `${p}/administrativeGenderCode[1]`, 'With an INS, the sex code is required.');
    }
    if (!first(role, 'patient/birthplace/place/addr/county')?.textContent) {
      err('CDA_INS_TRAITS', `${p}/birthplace[1]`, 'With an INS, the birth place code (county) is required.');
    }
  }
  for (const what of ['author', 'custodian', 'legalAuthenticator', 'componentOf', 'documentationOf']) {
    if (kids(cd, what).length === 0) {
      err('CDA_HEADER_MISSING', `/ClinicalDocument[1]/${what}`, `${what} is required in a CR-BIO.`);
    }
  }
  const status = Array.from(doc.getElementsByTagNameNS(LAB, 'statusCode'))[0]?.getAttribute('code');
  if (status !== undefined && status !== 'completed' && status !== 'active') {
    err('CDA_LAB_STATUS', '/ClinicalDocument[1]/documentationOf[1]/serviceEvent[1]', 'lab:statusCode must be completed or active.');
  }
  // body: a chapter section and the PDF copy
  const body = first(cd, 'component/structuredBody');
  const sections = body ? path(body, 'component/section') : [];
  const has = (root: string): boolean => sections.some((s) => kids(s, 'templateId').some((t) => t.getAttribute('root') === root));
  if (!has('1.3.6.1.4.1.19376.1.3.3.2.1')) {
    err('CDA_NO_CHAPTER', '/ClinicalDocument[1]/component[1]/structuredBody[1]', 'At least one laboratory chapter section (1.3.6.1.4.1.19376.1.3.3.2.1) is required.');
  }
  const pdf = withTemplate(doc, '1.2.250.1.213.1.1.2.243')[0];
  const media = pdf ? Array.from(pdf.getElementsByTagNameNS(V3, 'observationMedia'))[0] : undefined;
  const mediaValue = media ? first(media, 'value') : undefined;
  if (!pdf) {
    err('CDA_PDF_SECTION_MISSING', '/ClinicalDocument[1]/component[1]/structuredBody[1]', 'The FR-Document-PDF-copie section (1.2.250.1.213.1.1.2.243) is required.');
  } else if (!mediaValue || mediaValue.getAttribute('mediaType') !== 'application/pdf' || mediaValue.getAttribute('representation') !== 'B64' || (mediaValue.textContent ?? '').trim() === '') {
    err('CDA_PDF_CONTENT', xpathOf(pdf), 'The PDF copy must be an observationMedia value application/pdf in B64, not empty.');
  }
  // results
  const ids = new Set(Array.from(doc.getElementsByTagNameNS(V3, 'content')).map((c) => c.getAttribute('ID')));
  for (const o of withTemplate(doc, '1.3.6.1.4.1.19376.1.3.1.6')) {
    const p = xpathOf(o);
    const st = first(o, 'statusCode')?.getAttribute('code');
    if (st !== 'completed' && st !== 'aborted') {
      err('CDA_RESULT_STATUS', `${p}/statusCode[1]`, 'A result statusCode must be completed or aborted.');
    }
    if (kids(o, 'referenceRange').length > 1) {
      err('CDA_REFERENCE_RANGE', p, 'A result has at most one reference range.');
    }
    const c = first(o, 'code');
    if (c?.getAttribute('codeSystem') === LOINC && !c.getAttribute('displayName')) {
      err('CDA_LOINC_DISPLAY', `${p}/code[1]`, 'A LOINC code needs its displayName.');
    }
    const ref = c ? first(c, 'originalText/reference')?.getAttribute('value') : undefined;
    if (ref && !ids.has(ref.replace(/^#/, ''))) {
      err('CDA_NARRATIVE_REFERENCE', `${p}/code[1]/originalText[1]/reference[1]`, `The narrative has no content with ID ${ref.replace(/^#/, '')}.`);
    }
  }
  return issues;
};
