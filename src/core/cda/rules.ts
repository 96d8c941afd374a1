/**
 * Our own structural rules for a CR-BIO 2024.01 document: the checks that matter most from the CI-SIS header
 * and CR-BIO schematrons (standards.md §1.6, §3), run on every document even without the ANS kit. Pure:
 * the XML text in, issues with XPath out.
 *
 * The rules read the document through `CdaXmlView`, a small read-only view of a parsed tree: `checkCrBio` parses
 * with xmldom (below); the conformance gate runs the same rules on the libxml2 tree it already parsed for the XSD
 * (src/adapters/validation/libxml-view.ts), with the lookups evaluated as XPath inside libxml2.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { issue, type Issue } from '../validation/issue.js';
import { DOC_CODE, DOC_TITLE } from './codes.js';
import { LOINC } from './datatypes.js';
import { lineOfNonXmlChar } from './xml.js';

export const V3 = 'urn:hl7-org:v3';
export const LAB = 'urn:oid:1.3.6.1.4.1.19376.1.3.2';
const INS_ROOTS = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

/**
 * What the rules read from a parsed document. `E` is the implementation's element; names are local names,
 * every list is in document order.
 */
export interface CdaXmlView<E> {
  /** The document element. */
  readonly root: E | undefined;
  /** Whether `e` has this local name and namespace URI. */
  is(e: E, ns: string, localName: string): boolean;
  /** The elements reached from `e` by child steps in namespace `ns`, urn:hl7-org:v3 by default ('recordTarget/patientRole'). */
  path(e: E, steps: string, ns?: string): E[];
  /** `path(e, steps, ns)[0]`. */
  first(e: E, steps: string, ns?: string): E | undefined;
  /** The attribute without namespace, null when absent (DOM getAttribute). */
  attr(e: E, name: string): string | null;
  /** The text of every descendant text and CDATA node (DOM textContent). */
  text(e: E): string;
  /** The first element with this namespace and local name in the whole document. */
  firstInDocument(ns: string, localName: string): E | undefined;
  /** The first descendant of `e` (not `e` itself) in urn:hl7-org:v3 with this local name. */
  firstDescendant(e: E, localName: string): E | undefined;
  /** The parent of every urn:hl7-org:v3 templateId with this @root, once per templateId. */
  withTemplate(root: string): E[];
  /** The values of @`attrName` on every urn:hl7-org:v3 element `localName` that has it. */
  attrValues(localName: string, attrName: string): string[];
  /** XPath with 1-based positions among same-name siblings: /ClinicalDocument[1]/component[1]… */
  xpathOf(e: E): string;
}

const kids = (e: Element | Document, name: string, ns = V3): Element[] =>
  Array.from(e.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === ns);
const domPath = (e: Element | Document, steps: string, ns = V3): Element[] =>
  steps.split('/').reduce<(Element | Document)[]>((acc, s) => acc.flatMap((x) => kids(x, s, ns)), [e]) as Element[];

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

/** The view over an xmldom document. */
export const domView = (doc: Document): CdaXmlView<Element> => ({
  root: doc.documentElement ?? undefined,
  is: (e, ns, localName) => e.localName === localName && e.namespaceURI === ns,
  path: domPath,
  first: (e, steps, ns) => domPath(e, steps, ns)[0],
  attr: (e, name) => e.getAttribute(name),
  text: (e) => e.textContent ?? '',
  firstInDocument: (ns, localName) => Array.from(doc.getElementsByTagNameNS(ns, localName))[0],
  firstDescendant: (e, localName) => Array.from(e.getElementsByTagNameNS(V3, localName))[0],
  withTemplate: (root) =>
    Array.from(doc.getElementsByTagNameNS(V3, 'templateId'))
      .filter((t) => t.getAttribute('root') === root)
      .map((t) => t.parentNode as Element),
  attrValues: (localName, attrName) =>
    Array.from(doc.getElementsByTagNameNS(V3, localName)).flatMap((c) => {
      const v = c.getAttribute(attrName);
      return v === null ? [] : [v];
    }),
  xpathOf,
});

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
  return doc ? crBioRules(domView(doc)) : issues;
};

/** The rules on a parsed document (well-formed, no character XML 1.0 forbids). */
export const crBioRules = <E>(x: CdaXmlView<E>): Issue[] => {
  const issues: Issue[] = [];
  const err = (code: string, p: string, message: string): void => {
    issues.push(issue('error', code, p, message));
  };
  const cd = x.root;
  if (cd === undefined || !x.is(cd, V3, 'ClinicalDocument')) {
    err('CDA_ROOT', '/', 'The root element must be ClinicalDocument in the urn:hl7-org:v3 namespace.');
    return issues;
  }
  const roots = x.path(cd, 'templateId').map((t) => x.attr(t, 'root'));
  for (const t of ['1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.3.3']) {
    if (!roots.includes(t)) {
      err('CDA_TEMPLATE_MISSING', '/ClinicalDocument[1]/templateId', `templateId ${t} is required.`);
    }
  }
  const attrOf = (steps: string, name: string): string | null | undefined => {
    const e = x.first(cd, steps);
    return e === undefined ? undefined : x.attr(e, name);
  };
  const textOf = (e: E | undefined): string | undefined => (e === undefined ? undefined : x.text(e));
  const code = x.first(cd, 'code');
  if (!code || x.attr(code, 'code') !== DOC_CODE.code || x.attr(code, 'codeSystem') !== LOINC || x.attr(code, 'displayName') !== DOC_CODE.display) {
    err('CDA_DOC_CODE', '/ClinicalDocument[1]/code[1]', `code must be ${DOC_CODE.code} (LOINC) with displayName "${DOC_CODE.display}".`);
  }
  if (textOf(x.first(cd, 'title')) !== DOC_TITLE) {
    err('CDA_TITLE', '/ClinicalDocument[1]/title[1]', `title must be "${DOC_TITLE}".`);
  }
  if (!attrOf('id', 'root')) {
    err('CDA_ID_MISSING', '/ClinicalDocument[1]/id[1]', 'The document id is required.');
  }
  if (!attrOf('setId', 'root')) {
    err('CDA_SETID_MISSING', '/ClinicalDocument[1]/setId[1]', 'setId is required.');
  }
  const version = Number(attrOf('versionNumber', 'value'));
  if (!Number.isInteger(version) || version < 1) {
    err('CDA_VERSION_INVALID', '/ClinicalDocument[1]/versionNumber[1]', 'versionNumber must be a positive integer.');
  }
  const rplc = x.path(cd, 'relatedDocument').filter((r) => x.attr(r, 'typeCode') === 'RPLC');
  if (version > 1 && rplc.length === 0) {
    err('CDA_RPLC_MISSING', '/ClinicalDocument[1]/relatedDocument', 'A version after the first must carry relatedDocument RPLC.');
  }
  if (!/^\d{12,14}(\.\d+)?[+-]\d{4}$/.test(attrOf('effectiveTime', 'value') ?? '')) {
    err('CDA_EFFECTIVE_TIME_INVALID', '/ClinicalDocument[1]/effectiveTime[1]', 'effectiveTime must be a date-time with a time-zone offset.');
  }
  const lang = attrOf('languageCode', 'code') ?? '';
  if (!/^[a-z]{2}-[A-Z]{2}$/.test(lang)) {
    err('CDA_LANGUAGE', '/ClinicalDocument[1]/languageCode[1]', 'languageCode must look like fr-FR.');
  }
  // recordTarget: INS → strict traits (structuration minimale, CI-SISRecordTarget)
  const role = x.first(cd, 'recordTarget/patientRole');
  if (!role) {
    err('CDA_RECORD_TARGET', '/ClinicalDocument[1]/recordTarget[1]', 'recordTarget/patientRole is required.');
  } else if (!x.path(role, 'id').some((i) => x.attr(i, 'root') && !x.attr(i, 'nullFlavor'))) {
    err('CDA_PATIENT_ID_MISSING', '/ClinicalDocument[1]/recordTarget[1]/patientRole[1]', 'The patient needs an identifier (qualified INS or local IPP).');
  } else if (x.path(role, 'id').some((i) => INS_ROOTS.includes(x.attr(i, 'root') ?? ''))) {
    const p = '/ClinicalDocument[1]/recordTarget[1]/patientRole[1]/patient[1]';
    const name = x.first(role, 'patient/name');
    const fam = name ? x.path(name, 'family') : [];
    const giv = name ? x.path(name, 'given') : [];
    if (!fam.some((f) => x.attr(f, 'qualifier') === 'BR')) {
      err('CDA_INS_TRAITS', `${p}/name[1]`, 'With an INS, the birth name (family qualifier BR) is required.');
    }
    if (!giv.some((g) => x.attr(g, 'qualifier') === 'BR') || !giv.some((g) => !x.attr(g, 'qualifier'))) {
      err('CDA_INS_TRAITS', `${p}/name[1]`, 'With an INS, the first birth first name (given BR) and the list of birth first names (given without qualifier) are required.');
    }
    const of = (steps: string, name: string): string | null | undefined => {
      const e = x.first(role, steps);
      return e === undefined ? undefined : x.attr(e, name);
    };
    if (!of('patient/birthTime', 'value')) {
      err('CDA_INS_TRAITS', `${p}/birthTime[1]`, 'With an INS, the birth date is required.');
    }
    if (!of('patient/administrativeGenderCode', 'code')) {
      err('CDA_INS_TRAITS', `${p}/administrativeGenderCode[1]`, 'With an INS, the sex code is required.');
    }
    if (!textOf(x.first(role, 'patient/birthplace/place/addr/county'))) {
      err('CDA_INS_TRAITS', `${p}/birthplace[1]`, 'With an INS, the birth place code (county) is required.');
    }
  }
  for (const what of ['author', 'custodian', 'legalAuthenticator', 'componentOf', 'documentationOf']) {
    if (x.first(cd, what) === undefined) {
      err('CDA_HEADER_MISSING', `/ClinicalDocument[1]/${what}`, `${what} is required in a CR-BIO.`);
    }
  }
  const labStatus = x.firstInDocument(LAB, 'statusCode');
  const status = labStatus === undefined ? undefined : x.attr(labStatus, 'code');
  if (status !== undefined && status !== 'completed' && status !== 'active') {
    err('CDA_LAB_STATUS', '/ClinicalDocument[1]/documentationOf[1]/serviceEvent[1]', 'lab:statusCode must be completed or active.');
  }
  // body: a chapter section and the PDF copy
  const body = x.first(cd, 'component/structuredBody');
  const sections = body ? x.path(body, 'component/section') : [];
  const has = (root: string): boolean => sections.some((s) => x.path(s, 'templateId').some((t) => x.attr(t, 'root') === root));
  if (!has('1.3.6.1.4.1.19376.1.3.3.2.1')) {
    err('CDA_NO_CHAPTER', '/ClinicalDocument[1]/component[1]/structuredBody[1]', 'At least one laboratory chapter section (1.3.6.1.4.1.19376.1.3.3.2.1) is required.');
  }
  const pdf = x.withTemplate('1.2.250.1.213.1.1.2.243')[0];
  const media = pdf ? x.firstDescendant(pdf, 'observationMedia') : undefined;
  const mediaValue = media ? x.first(media, 'value') : undefined;
  if (!pdf) {
    err('CDA_PDF_SECTION_MISSING', '/ClinicalDocument[1]/component[1]/structuredBody[1]', 'The FR-Document-PDF-copie section (1.2.250.1.213.1.1.2.243) is required.');
  } else if (!mediaValue || x.attr(mediaValue, 'mediaType') !== 'application/pdf' || x.attr(mediaValue, 'representation') !== 'B64' || x.text(mediaValue).trim() === '') {
    err('CDA_PDF_CONTENT', x.xpathOf(pdf), 'The PDF copy must be an observationMedia value application/pdf in B64, not empty.');
  }
  // results; the narrative's content IDs are read at the first reference
  let ids: Set<string> | undefined;
  for (const o of x.withTemplate('1.3.6.1.4.1.19376.1.3.1.6')) {
    let at: string | undefined;
    const p = (): string => (at ??= x.xpathOf(o));
    const statusCode = x.first(o, 'statusCode');
    const st = statusCode === undefined ? undefined : x.attr(statusCode, 'code');
    if (st !== 'completed' && st !== 'aborted') {
      err('CDA_RESULT_STATUS', `${p()}/statusCode[1]`, 'A result statusCode must be completed or aborted.');
    }
    if (x.path(o, 'referenceRange').length > 1) {
      err('CDA_REFERENCE_RANGE', p(), 'A result has at most one reference range.');
    }
    const c = x.first(o, 'code');
    if (c !== undefined && x.attr(c, 'codeSystem') === LOINC && !x.attr(c, 'displayName')) {
      err('CDA_LOINC_DISPLAY', `${p()}/code[1]`, 'A LOINC code needs its displayName.');
    }
    const reference = c === undefined ? undefined : x.first(c, 'originalText/reference');
    const ref = reference === undefined ? undefined : x.attr(reference, 'value');
    if (ref) {
      ids ??= new Set(x.attrValues('content', 'ID'));
      if (!ids.has(ref.replace(/^#/, ''))) {
        err('CDA_NARRATIVE_REFERENCE', `${p()}/code[1]/originalText[1]/reference[1]`, `The narrative has no content with ID ${ref.replace(/^#/, '')}.`);
      }
    }
  }
  return issues;
};
