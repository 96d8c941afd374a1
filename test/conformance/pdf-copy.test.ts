/** The PDF copy rendered by the gateway: shows the results, is deterministic, paginates, and fits in a valid CR-BIO. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { renderReportPdf } from '../../src/adapters/pdf/render.js';
import { buildCrBio } from '../../src/core/cda/index.js';
import { checkCrBio } from '../../src/core/cda/rules.js';
import type { LabReport } from '../../src/core/report/model.js';
import { loadReport, testSettings, versionFor } from '../fixtures/cda/settings.js';

/** Text drawn on each page: the hex strings of Tj operators in the (Flate) content streams, WinAnsi-decoded. */
const pageTexts = async (bytes: Uint8Array): Promise<string[]> => {
  const pdf = await PDFDocument.load(bytes);
  const decoder = new TextDecoder('windows-1252');
  return pdf.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams = contents ? ('asArray' in contents ? contents.asArray() : [contents]) : [];
    return streams
      .map((ref) => {
        const s = pdf.context.lookup(ref) as unknown as { getContents(): Uint8Array; dict: { toString(): string } };
        const raw = s.getContents();
        const data = s.dict.toString().includes('FlateDecode') ? inflateSync(raw) : Buffer.from(raw);
        return [...data.toString('latin1').matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((m) => decoder.decode(Buffer.from(m[1]!, 'hex'))).join('\n');
      })
      .join('\n');
  });
};

describe('PDF copy (pdf-lib)', () => {
  it('shows the lab, patient, prescriber, results with units, ranges, flags, validation and page numbers', async () => {
    const bytes = await renderReportPdf(loadReport('tsh'), testSettings, '2021-01-04T16:10:00+01:00');
    assert.equal(Buffer.from(bytes.subarray(0, 5)).toString(), '%PDF-');
    const [page] = await pageTexts(bytes);
    for (const expected of [
      'Laboratoire des charmes',
      'PAT-TROIS DOMINIQUE MARIE-LOUISE - né(e) le 28/03/1979 - Féminin',
      'INS : 279035121518989',
      'Prescripteur : DR Pascal CHARLES (RPPS 10002422979)',
      'BIOCHIMIE',
      'Thyréostimuline (TSH)',
      '1.950 m[IU]/L',
      '0.270 - 4.200 m[IU]/L',
      '7.67 pg/mL',
      'Anormalement bas',
      'Antériorité du 12/09/2020 08:15 : 8.10 pg/mL',
      'Validé par DR Marcel CAMPARINI le 04/01/2021 15:25',
      'page 1 / 1',
    ]) {
      assert.ok(page!.includes(expected), `missing "${expected}" in:\n${page}`);
    }
  });

  it('renders with poppler (pdftoppm to PNG, pdftotext shows the results table) — CI installs poppler-utils', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pdf-copy-'));
    try {
      const file = path.join(dir, 'micro.pdf');
      writeFileSync(file, await renderReportPdf(loadReport('micro_v2'), testSettings, '2024-01-04T16:10:00+01:00'));
      execFileSync('pdftoppm', ['-r', '50', '-png', file, path.join(dir, 'page')]);
      const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
      assert.equal(pngs.length, 1);
      const png = readFileSync(path.join(dir, pngs[0]!));
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.ok(png.length > 5000, `${png.length} bytes`);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      assert.match(text, /Amoxicilline\+clavulanate \[Sensibilité\] Isolat ;\s+>= 0\.512 ug\/mL\s+Résistant/);
      assert.match(text, /Isolat : Escherichia coli/);
      assert.match(text, /page 1 \/ 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic and dated from the given time', async () => {
    const a = await renderReportPdf(loadReport('micro_v2'), testSettings, '2024-01-04T16:10:00+01:00');
    const b = await renderReportPdf(loadReport('micro_v2'), testSettings, '2024-01-04T16:10:00+01:00');
    assert.ok(Buffer.from(a).equals(Buffer.from(b)));
    const doc = await PDFDocument.load(a, { updateMetadata: false });
    assert.equal(doc.getCreationDate()?.toISOString(), '2024-01-04T15:10:00.000Z');
  });

  it('numbers the pages of a long report and replaces characters the font cannot draw', async () => {
    const base = loadReport('glucose_two_units');
    const many: LabReport = {
      ...base,
      batteries: Array.from({ length: 40 }, (_, i) => ({ ...base.batteries[0]!, code: { ...base.batteries[0]!.code, display: `Glycémie ${i + 1} ≥ 中` } })),
    };
    const bytes = await renderReportPdf(many, testSettings, '2024-03-06T11:10:00+01:00');
    const pages = await pageTexts(bytes);
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    // One font resource per font and page (Helvetica, Helvetica-Bold), not one per line drawn.
    const pdf = await PDFDocument.load(bytes);
    pdf.getPages().forEach((page) => assert.ok((page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict)?.keys().length ?? 0) <= 2));
    pages.forEach((p, i) => assert.ok(p.includes(`page ${i + 1} / ${pages.length}`)));
    assert.ok(pages.join('\n').includes('Glycémie 40 >= ?'));
  });

  it('a CR-BIO built with the rendered PDF keeps it in FR-Document-PDF-copie and passes our rules', async () => {
    const report = loadReport('micro_v1');
    const pdf = await renderReportPdf(report, testSettings, '2024-01-04T11:25:00+01:00');
    const built = buildCrBio(report, versionFor(1, 'pdf'), testSettings, { pdf });
    assert.deepEqual(built.issues, []);
    assert.deepEqual(checkCrBio(built.xml), []);
    assert.ok(built.xml.includes(Buffer.from(pdf).toString('base64')));
  });
});
