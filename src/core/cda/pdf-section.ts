/**
 * FR-Document-PDF-copie (1.2.250.1.213.1.1.2.243), mandatory in CR-BIO 2024.01: the PDF copy of the report
 * in an observationMedia (B64), shown by the narrative through renderMultiMedia.
 */
import { cd, LOINC } from './datatypes.js';
import { el, type XElement } from './xml.js';

export const PDF_MEDIA_ID = 'doc-pdf-1';

/** `documentId` roots the entry ids (extensions pdf-copie-organizer / pdf-copie-type), so they are stable per version. */
export const pdfCopySection = (base64: string, documentId: string): XElement =>
  el(
    'component',
    {},
    el(
      'section',
      {},
      el('templateId', { root: '1.2.250.1.213.1.1.2.243' }),
      cd('code', { code: '55108-5', system: LOINC, display: 'Copie du document' }, 'LOINC'),
      el('title', {}, 'Copie du document'),
      el('text', {}, el('table', { border: '0' }, el('tbody', {}, el('tr', {}, el('td', {}, el('renderMultiMedia', { referencedObject: PDF_MEDIA_ID })))))),
      el(
        'entry',
        {},
        el(
          'organizer',
          { classCode: 'CLUSTER', moodCode: 'EVN' },
          el('templateId', { root: '1.2.250.1.213.1.1.3.18' }),
          el('id', { root: documentId, extension: 'pdf-copie-organizer' }),
          cd('code', { code: '55107-7', system: LOINC, display: 'Document attaché' }, 'LOINC'),
          el('statusCode', { code: 'completed' }),
          el(
            'component',
            {},
            el(
              'observation',
              { classCode: 'OBS', moodCode: 'EVN' },
              el('templateId', { root: '1.3.6.1.4.1.19376.1.5.3.1.4.13' }),
              el('templateId', { root: '1.2.250.1.213.1.1.3.48' }),
              el('templateId', { root: '1.2.250.1.213.1.1.3.48.18' }),
              el('id', { root: documentId, extension: 'pdf-copie-type' }),
              cd('code', { code: '69764-9', system: LOINC, display: 'Type de document' }, 'LOINC'),
              el('text', {}, el('reference', { value: `#${PDF_MEDIA_ID}` })),
              el('statusCode', { code: 'completed' }),
              el('effectiveTime', { nullFlavor: 'NA' }),
              el('value', { 'xsi:type': 'CD', code: '55108-5', displayName: 'Copie du document', codeSystem: LOINC, codeSystemName: 'LOINC' }),
            ),
          ),
          el(
            'component',
            {},
            el('observationMedia', { classCode: 'OBS', moodCode: 'EVN', ID: PDF_MEDIA_ID }, el('value', { mediaType: 'application/pdf', representation: 'B64' }, base64)),
          ),
        ),
      ),
    ),
  );
