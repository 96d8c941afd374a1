/** Streams audit records as CSV, JSON lines or a FHIR Bundle of AuditEvent (HTTP export and `audit export`). */
import type { AuditRecord } from '../../core/audit/chain.js';
import { csvHeader, csvRow, jsonLine, toFhirAuditEvent } from '../../core/audit/export.js';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The export as a stream of text chunks: CSV, JSON lines, or a FHIR Bundle (collection) of AuditEvent. */
export async function* exportChunks(records: AsyncIterable<AuditRecord>, format: ExportFormat, ctx: { observer: string; siteOid?: string }): AsyncGenerator<string> {
  if (format === 'csv') {
    yield csvHeader();
    for await (const r of records) {
      yield csvRow(r);
    }
    return;
  }
  if (format === 'jsonl') {
    for await (const r of records) {
      yield jsonLine(r);
    }
    return;
  }
  yield '{"resourceType":"Bundle","type":"collection","entry":[';
  let first = true;
  for await (const r of records) {
    yield `${first ? '' : ','}{"fullUrl":"urn:uuid:${r.id}","resource":${JSON.stringify(toFhirAuditEvent(r, ctx))}}`;
    first = false;
  }
  yield ']}';
}

export const exportContentType: Readonly<Record<ExportFormat, string>> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8', fhir: 'application/fhir+json; charset=utf-8' };

