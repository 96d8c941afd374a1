/**
 * The CR-BIO 2024.01 builder: LabReport + version + lab settings (+ the PDF copy) → CDA R2 XML. Pure: the same
 * input, version (ids, time) and settings give the same bytes.
 */
import type { LabReport } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';
import { chapterSections, commentSection } from './body.js';
import { DOC_CODE, DOC_TITLE } from './codes.js';
import { cd, ii, toTs } from './datatypes.js';
import {
  author,
  authenticators,
  componentOf,
  custodian,
  documentationOf,
  IHE_LAB_NS,
  inFulfillmentOf,
  legalAuthenticator,
  participants,
  recordTarget,
  relatedDocument,
} from './header.js';
import { pdfCopySection } from './pdf-section.js';
import type { BuildAttachments, BuiltDocument, CdaSettings, DocumentVersion } from './types.js';
import { el, serialize } from './xml.js';

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

const pdfBase64 = (report: LabReport, attachments: BuildAttachments, issues: Issue[]): string => {
  if (report.pdf) {
    const b64 = report.pdf.base64.replace(/\s+/g, '');
    if (!BASE64.test(b64) || !b64.startsWith('JVBER')) {
      issues.push(issue('error', 'CDA_PDF_INVALID', '/ClinicalDocument/component/structuredBody/component/section/entry/organizer/component/observationMedia/value', 'The PDF sent by the SIL is not base64-encoded PDF.'));
    }
    return b64;
  }
  if (attachments.pdf) {
    return Buffer.from(attachments.pdf).toString('base64');
  }
  issues.push(issue('error', 'CDA_PDF_MISSING', '/ClinicalDocument/component/structuredBody', 'No PDF copy: CR-BIO 2024.01 requires the FR-Document-PDF-copie section.'));
  return '';
};

export const buildCrBio = (report: LabReport, version: DocumentVersion, settings: CdaSettings, attachments: BuildAttachments = {}): BuiltDocument => {
  const issues: Issue[] = [];
  const effectiveTime = toTs(version.effectiveTime);
  if (!effectiveTime || !/[+-]\d{4}$/.test(effectiveTime) || effectiveTime.length < 12) {
    issues.push(issue('error', 'CDA_EFFECTIVE_TIME_INVALID', '/ClinicalDocument/effectiveTime', 'The document time must be a date-time with a time-zone offset.'));
  }
  if (!Number.isInteger(version.versionNumber) || version.versionNumber < 1) {
    issues.push(issue('error', 'CDA_VERSION_INVALID', '/ClinicalDocument/versionNumber', 'versionNumber must be a positive integer.'));
  }
  if (version.versionNumber > 1 && !version.replacesDocumentId) {
    issues.push(issue('error', 'CDA_RPLC_MISSING', '/ClinicalDocument/relatedDocument', 'A version after the first must replace the previous one (relatedDocument RPLC).'));
  }
  if (report.status === 'cancelled') {
    issues.push(issue('warning', 'CDA_REPORT_CANCELLED', '/ClinicalDocument', 'The report is cancelled; a document is built only for the record.'));
  }
  const { sections, chapters } = chapterSections(report, settings, issues);
  const pdf = pdfBase64(report, attachments, issues);
  const root = el(
    'ClinicalDocument',
    { xmlns: 'urn:hl7-org:v3', 'xmlns:lab': IHE_LAB_NS, 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    el('realmCode', { code: 'FR' }),
    el('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' }),
    ii('2.16.840.1.113883.2.8.2.1', undefined, 'templateId'),
    ii('1.2.250.1.213.1.1.1.1', undefined, 'templateId'),
    ii('1.3.6.1.4.1.19376.1.3.3', undefined, 'templateId'),
    ii('1.2.250.1.213.1.1.1.55', undefined, 'templateId'),
    ii(version.documentId),
    cd('code', DOC_CODE, 'LOINC'),
    el('title', {}, DOC_TITLE),
    el('effectiveTime', { value: effectiveTime }),
    el('confidentialityCode', { code: 'N', displayName: 'Normal', codeSystem: '2.16.840.1.113883.5.25' }),
    el('languageCode', { code: 'fr-FR' }),
    ii(version.setId, undefined, 'setId'),
    el('versionNumber', { value: version.versionNumber }),
    recordTarget(report.patient, issues),
    author(report, settings),
    custodian(settings),
    legalAuthenticator(report, settings, issues),
    authenticators(report, settings),
    participants(report, issues),
    inFulfillmentOf(report, settings),
    documentationOf(report, settings, chapters),
    relatedDocument(version.replacesDocumentId),
    componentOf(report, settings),
    el('component', {}, el('structuredBody', {}, sections, commentSection(report), pdfCopySection(pdf, version.documentId))),
  );
  return { xml: serialize(root), issues };
};
