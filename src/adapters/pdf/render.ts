/**
 * The PDF copy of a lab report (FR-Document-PDF-copie) when the SIL sends none, drawn with pdf-lib:
 * laboratory, patient, prescriber, results table (value with unit, reference range, flag), comments,
 * validation, page numbers. Deterministic: dates in the PDF come from `at`, so the same input gives the same bytes.
 */
import { deflateSync } from 'node:zlib';
import { beginText, endText, PDFArray, PDFContentStream, PDFDocument, PDFRef, setFontAndSize, setTextMatrix, showText, StandardFonts, rgb, type PDFFont, type PDFName, type PDFOperator, type PDFPage } from 'pdf-lib';
import { chapterOf, humanDate, interpretationText, practitionerText, rangeText, valueText, type CdaSettings } from '../../core/cda/index.js';
import type { Battery, LabReport, Observation } from '../../core/report/model.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 40;
const BOTTOM = 60;
const COLS = [MARGIN, 250, 370, 480] as const;
const WIDTHS = [205, 115, 105, 75] as const;

const SEX = { M: 'Masculin', F: 'Féminin', U: 'Inconnu' } as const;
const STATUS = { partial: 'Compte rendu partiel', final: 'Compte rendu complet', corrected: 'Compte rendu corrigé', cancelled: 'Compte rendu annulé' } as const;

/** The code points a standard font can encode, by font name: the same for every document, computed once. */
const characterSets = new Map<string, ReadonlySet<number>>();

/** Keeps what the font can encode (WinAnsi for the standard fonts); ≤ ≥ spelled out, anything else "?". */
const encodable = (font: PDFFont): ((s: string) => string) => {
  let set = characterSets.get(font.name);
  if (!set) {
    set = new Set(font.getCharacterSet());
    characterSets.set(font.name, set);
  }
  return (s) =>
    Array.from(s.replace(/≤/g, '<=').replace(/≥/g, '>=').replace(/[\r\n\t]+/g, ' '))
      .map((c) => (set.has(c.codePointAt(0) ?? 0) ? c : '?'))
      .join('');
};

/** The text state of one page: its font resource names, and whether a text object (BT) is open, with which font. */
interface PageText {
  readonly keys: Map<PDFFont, PDFName>;
  open: boolean;
  font?: PDFFont | undefined;
  size?: number | undefined;
}

interface Ctx {
  readonly doc: PDFDocument;
  readonly font: PDFFont;
  readonly bold: PDFFont;
  readonly clean: (s: string) => string;
  readonly widths: ReturnType<typeof measure>;
  readonly boldWidths: ReturnType<typeof measure>;
  readonly texts: Map<PDFPage, PageText>;
  page: PDFPage;
  y: number;
}

/**
 * Draws one line of cleaned text at (x, y): what page.drawText draws, with fewer operators. Consecutive lines share
 * one text object (BT … ET) and the font is set when it changes, with one font resource per font and page
 * (drawText opens a text object in its own q … Q per line and adds a font resource per call).
 */
const show = (c: Ctx, page: PDFPage, line: string, x: number, y: number, size: number, font: PDFFont): void => {
  let t = c.texts.get(page);
  if (!t) {
    t = { keys: new Map(), open: false };
    c.texts.set(page, t);
  }
  const ops: PDFOperator[] = [];
  if (!t.open) {
    ops.push(beginText());
    t.open = true;
    t.font = undefined;
  }
  if (t.font !== font || t.size !== size) {
    let key = t.keys.get(font);
    if (!key) {
      key = page.node.newFontDictionary(font.name, font.ref);
      t.keys.set(font, key);
    }
    ops.push(setFontAndSize(key, size));
    t.font = font;
    t.size = size;
  }
  ops.push(setTextMatrix(1, 0, 0, 1, x, y), showText(font.encodeText(line)));
  page.pushOperators(...ops);
};

/** Ends the page's open text object, before a graphic or the end of the page. */
const endTextOf = (c: Ctx, page: PDFPage): void => {
  const t = c.texts.get(page);
  if (t?.open) {
    page.pushOperators(endText());
    t.open = false;
  }
};

const newPage = (c: Ctx): void => {
  endTextOf(c, c.page);
  c.page = c.doc.addPage(A4);
  c.y = A4[1] - MARGIN;
};

const ensure = (c: Ctx, h: number): void => {
  if (c.y - h < BOTTOM) {
    newPage(c);
  }
};

/**
 * Widths in font units (1/1000 em) with pdf-lib's own sum (glyph widths and kerning pairs, integers for the
 * standard fonts, so exact): a line grown by a word is measured from the line's width, not again from its start.
 * units(a + ' ' + w) = units(a) + kern(last of a, space) + units(' ' + w).
 */
const measure = (font: PDFFont): { readonly units: (s: string) => number; readonly kernBeforeSpace: (ch: string) => number } => {
  const units = (s: string): number => font.widthOfTextAtSize(s, 1000);
  const space = units(' ');
  const kern = new Map<string, number>();
  return {
    units,
    kernBeforeSpace: (ch) => {
      let k = kern.get(ch);
      if (k === undefined) {
        k = units(`${ch} `) - units(ch) - space;
        kern.set(ch, k);
      }
      return k;
    },
  };
};

/** Splits text into lines that fit `width` at `size` (the width pdf-lib's widthOfTextAtSize gives). */
const wrap = (c: Ctx, text: string, width: number, size: number, font = c.font): string[] => {
  const words = c.clean(text).split(/\s+/).filter(Boolean);
  const m = font === c.bold ? c.boldWidths : c.widths;
  const scale = size / 1000;
  const lines: string[] = [];
  let line = '';
  let units = 0;
  for (const w of words) {
    const next = line ? units + m.kernBeforeSpace(line.charAt(line.length - 1)) + m.units(` ${w}`) : m.units(w);
    if (next * scale <= width || !line) {
      line = line ? `${line} ${w}` : w;
      units = next;
    } else {
      lines.push(line);
      line = w;
      units = m.units(w);
    }
  }
  if (line) {
    lines.push(line);
  }
  return lines.length > 0 ? lines : [''];
};

const text = (c: Ctx, s: string, opts: { x?: number; size?: number; bold?: boolean; width?: number } = {}): void => {
  const size = opts.size ?? 9;
  const font = opts.bold ? c.bold : c.font;
  for (const line of wrap(c, s, opts.width ?? A4[0] - 2 * MARGIN, size, font)) {
    ensure(c, size + 3);
    show(c, c.page, line, opts.x ?? MARGIN, c.y - size, size, font);
    c.y -= size + 3;
  }
};

const row = (c: Ctx, cells: readonly string[], bold = false): void => {
  const size = 8.5;
  const wrapped = cells.map((cell, i) => wrap(c, cell, WIDTHS[i] ?? 80, size, bold ? c.bold : c.font));
  const h = Math.max(...wrapped.map((w) => w.length)) * (size + 2) + 3;
  ensure(c, h);
  wrapped.forEach((lines, i) =>
    lines.forEach((l, k) => show(c, c.page, l, COLS[i] ?? MARGIN, c.y - size - k * (size + 2), size, bold ? c.bold : c.font)),
  );
  c.y -= h;
};

const rule = (c: Ctx): void => {
  ensure(c, 6);
  endTextOf(c, c.page);
  c.page.drawLine({ start: { x: MARGIN, y: c.y - 2 }, end: { x: A4[0] - MARGIN, y: c.y - 2 }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
  c.y -= 6;
};

const obsRows = (c: Ctx, list: readonly Observation[]): void => {
  for (const o of list) {
    const label = o.localCode?.display ?? o.code.display ?? o.code.code;
    const flag = o.interpretations.filter((i) => i !== 'N').length > 0 ? interpretationText(o.interpretations) : '';
    row(c, [label, o.status === 'cancelled' ? 'Annulé' : valueText(o.value), rangeText(o.referenceRange), flag]);
    for (const p of o.previous) {
      text(c, `Antériorité du ${humanDate(p.effectiveTime)} : ${valueText(p.value)}`, { x: COLS[0] + 10, size: 7.5 });
    }
    for (const m of o.comments) {
      text(c, m, { x: COLS[0] + 10, size: 7.5 });
    }
  }
};

const battery = (c: Ctx, b: Battery): void => {
  ensure(c, 40);
  text(c, b.code.display ?? b.code.code, { bold: true, size: 9.5 });
  if (b.specimen?.collectedAt || b.specimen?.type) {
    text(c, `Prélèvement : ${b.specimen.type?.display ?? b.specimen.type?.code ?? ''} ${b.specimen.collectedAt ? `le ${humanDate(b.specimen.collectedAt)}` : ''}`, { size: 8 });
  }
  row(c, ['Examen', 'Résultat', 'Valeurs de référence', 'Interprétation'], true);
  obsRows(c, b.observations);
  for (const iso of b.isolates) {
    text(c, `Isolat : ${iso.organism.display ?? iso.organism.code}`, { bold: true, size: 8.5 });
    obsRows(c, iso.observations);
  }
  if (b.status === 'preliminary') {
    text(c, 'Résultats en cours', { size: 8 });
  }
  if (b.validator && b.validatedAt) {
    text(c, `Validé par ${practitionerText(b.validator)} le ${humanDate(b.validatedAt)}`, { size: 8 });
  }
  c.y -= 6;
};

/**
 * Compresses the pages' content streams (Flate) with node:zlib, about 3× faster than pako, with which pdf-lib
 * would deflate them when saving: each becomes a raw Flate stream of the same content. Called once drawing is done.
 */
const deflateContents = (doc: PDFDocument): void => {
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    for (const ref of contents instanceof PDFArray ? contents.asArray() : []) {
      const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : undefined;
      if (ref instanceof PDFRef && stream instanceof PDFContentStream) {
        doc.context.assign(ref, doc.context.stream(deflateSync(stream.getUnencodedContents()), { Filter: 'FlateDecode' }));
      }
    }
  }
};

/** Renders the report; `at` (ISO 8601) is the PDF's creation and modification date. */
export const renderReportPdf = async (report: LabReport, settings: CdaSettings, at: string): Promise<Uint8Array> => {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const when = new Date(at);
  doc.setTitle(`Compte rendu d'examens biologiques ${report.accessionNumber}`);
  doc.setAuthor(settings.lab.name);
  doc.setProducer('dmp-gateway (pdf-lib)');
  doc.setCreator(settings.software.name);
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const c: Ctx = { doc, font, bold, clean: encodable(font), widths: measure(font), boldWidths: measure(bold), texts: new Map(), page: doc.addPage(A4), y: A4[1] - MARGIN };

  const lab = settings.lab;
  text(c, lab.name, { bold: true, size: 13 });
  text(c, [...lab.address.lines, [lab.address.postalCode, lab.address.city].filter(Boolean).join(' ')].filter(Boolean).join(', '));
  text(c, `FINESS ${lab.finess}${lab.telecom.length > 0 ? ` - ${lab.telecom.join(', ').replace(/^tel:/, 'Tél. ')}` : ''}`);
  c.y -= 6;
  text(c, "Compte rendu d'examens biologiques", { bold: true, size: 12 });
  text(c, `${STATUS[report.status]} - dossier ${report.accessionNumber} - édité le ${humanDate(report.reportedAt)}`);
  rule(c);

  const p = report.patient;
  text(c, 'Patient', { bold: true, size: 10 });
  const used = p.usedName && p.usedName !== p.birthName ? ` (nom utilisé : ${p.usedName})` : '';
  text(c, `${p.birthName}${used} ${p.birthGivenNames} - né(e) le ${humanDate(p.birthDate)} - ${SEX[p.sex]}`);
  if (p.ins && p.status === 'QUAL') {
    text(c, `INS : ${p.ins.value} (${p.ins.oid})`);
  }
  if (report.prescriber) {
    text(c, `Prescripteur : ${practitionerText(report.prescriber)}${report.prescriber.rpps ? ` (RPPS ${report.prescriber.rpps})` : ''}`);
  }
  const dates = [
    report.orderedAt ? `prescrit le ${humanDate(report.orderedAt)}` : undefined,
    report.collectedAt ? `prélevé le ${humanDate(report.collectedAt)}` : undefined,
    report.receivedAt ? `reçu le ${humanDate(report.receivedAt)}` : undefined,
  ].filter(Boolean);
  if (dates.length > 0) {
    text(c, `Demande ${report.placerOrderNumber ?? report.accessionNumber} : ${dates.join(', ')}`);
  }
  rule(c);

  const chapters = new Map<string, { title: string; batteries: Battery[] }>();
  for (const b of report.batteries) {
    const ch = chapterOf(b, []);
    const entry = chapters.get(ch.code) ?? { title: ch.display, batteries: [] };
    entry.batteries.push(b);
    chapters.set(ch.code, entry);
  }
  for (const { title, batteries } of chapters.values()) {
    ensure(c, 60);
    text(c, title.toUpperCase(), { bold: true, size: 11 });
    batteries.forEach((b) => battery(c, b));
  }
  if (report.comments.length > 0) {
    text(c, 'Commentaires', { bold: true, size: 10 });
    report.comments.forEach((m) => text(c, m));
  }
  if (report.responsibleBiologist) {
    c.y -= 6;
    text(c, `Biologiste responsable : ${practitionerText(report.responsibleBiologist)}`);
  }

  endTextOf(c, c.page);
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    show(c, page, c.clean(`${lab.name} - dossier ${report.accessionNumber} - page ${i + 1} / ${pages.length}`), MARGIN, 30, 7.5, font);
    endTextOf(c, page);
  });
  deflateContents(doc);
  return doc.save({ useObjectStreams: false });
};
