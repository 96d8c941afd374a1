import { defineErrors } from './catalogue.js';

/**
 * Document errors (issue 5): building the CR-BIO and its PDF copy, and the conformance gate. A document that
 * fails the gate is quarantined (DOCUMENT_NONCONFORMANT, in the outbox table) with its issues, each naming an
 * XPath; the issue codes (CDA_*, SCHEMATRON_*, XML_NOT_WELL_FORMED) are listed in docs/decisions.md.
 */
export const documentErrors = defineErrors({
  ANS_KIT_UNAVAILABLE: { status: 500, retryable: false, message: 'The configured ANS validation kit cannot be used (missing folder, XSD, schematron, Java or Saxon).' },
  PDF_RENDER_FAILED: { status: 500, retryable: true, message: 'The PDF copy of the report could not be rendered.' },
  CDA_FILE_UNREADABLE: { status: 400, retryable: false, message: 'The CDA file cannot be read as UTF-8 XML text.' },
});
