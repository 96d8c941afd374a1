/**
 * Structured body of CR-BIO 2024.01 (standards.md §3.3): one Laboratory Specialty Section per chapter, one
 * Laboratory Report Item Section per battery, each with its narrative table and its Report Data Processing
 * Entry (specimen collection and reception, battery or single result, isolates, validating biologist).
 */
import type { Battery, Code, Isolate, LabReport, Observation } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';
import { DEFAULT_CHAPTER, isLabChapter, LAB_CHAPTERS, LOINC_CHAPTER_HINTS, OID_SPECIMEN_TYPE, SERVICE_SECTION_TO_CHAPTER, SPECIMEN_TYPES } from './codes.js';
import { addr, cd, LOINC, personName, practitionerId, telecoms, ts } from './datatypes.js';
import { humanDate, interpretationText, practitionerText, rangeText, valueText } from './narrative.js';
import { resultObservation, type EntryContext } from './results.js';
import type { CdaSettings } from './types.js';
import { el, txt, type XElement, type XNode } from './xml.js';

export interface Chapter {
  readonly code: string;
  readonly display: string;
}

/**
 * The chapter of a battery: its own `chapter` (LOINC, or an HL7 v2 table 0074 diagnostic service section such as
 * HM), its code when that is a chapter, the chapter of a known LOINC panel or test in it
 * (LOINC_CHAPTER_HINTS), else the default (with a warning).
 */
export const chapterOf = (b: Battery, issues: Issue[]): Chapter => {
  const c = b.chapter;
  if (c && c.system === LOINC) {
    return { code: c.code, display: c.display ?? (isLabChapter(c.code) ? LAB_CHAPTERS[c.code] : c.code) };
  }
  const section = c ? SERVICE_SECTION_TO_CHAPTER[c.code.toUpperCase()] : undefined;
  if (section) {
    return { code: section, display: LAB_CHAPTERS[section] };
  }
  if (b.code.system === LOINC && isLabChapter(b.code.code)) {
    return { code: b.code.code, display: LAB_CHAPTERS[b.code.code] };
  }
  const hinted = [b.code, ...b.observations.map((o) => o.code), ...b.isolates.flatMap((i) => i.observations.map((o) => o.code))]
    .filter((c) => c.system === LOINC)
    .map((c) => LOINC_CHAPTER_HINTS[c.code])
    .find((c) => c !== undefined);
  if (hinted) {
    return { code: hinted, display: LAB_CHAPTERS[hinted] };
  }
  issues.push(issue('warning', 'CDA_CHAPTER_DEFAULTED', b.sourcePath, `No CR-BIO chapter for this battery; filed under ${DEFAULT_CHAPTER} ${LAB_CHAPTERS[DEFAULT_CHAPTER]}.`));
  return { code: DEFAULT_CHAPTER, display: LAB_CHAPTERS[DEFAULT_CHAPTER] };
};

const batteryStatus = (b: Battery): 'completed' | 'active' | 'aborted' => {
  if (b.status === 'cancelled') {
    return 'aborted';
  }
  if (b.status === 'preliminary' || b.observations.some((o) => o.status === 'preliminary')) {
    return 'active';
  }
  return 'completed';
};

const codeLabel = (c: Code): string => c.display ?? c.code;

const tr = (...cells: (XNode | XNode[] | undefined)[]): XElement => el('tr', {}, cells.map((c) => el('td', {}, c)));

interface Ids {
  next(kind: string): string;
}

/** Narrative rows and entry components for a list of observations, sharing their IDs. */
const observationRows = (obs: readonly Observation[], ids: Ids, ctx: EntryContext, basePath: string, withPrevious: boolean) =>
  obs.map((o, i) => {
    const ref = ids.next('res');
    const label = o.localCode?.display ?? codeLabel(o.code);
    const cells: (XNode | XNode[] | undefined)[] = [
      el('content', { ID: ref }, label),
      o.status === 'cancelled' ? 'Annulé' : valueText(o.value),
      rangeText(o.referenceRange),
      interpretationText(o.interpretations),
    ];
    if (withPrevious) {
      cells.push(o.previous.map((p) => `${valueText(p.value)} (${humanDate(p.effectiveTime)})`).join('; '));
    }
    const comments = o.comments.map((c) => tr(undefined, c));
    return { row: [tr(...cells), ...comments], entry: resultObservation(o, ref, ctx, `${basePath}[${i + 1}]/observation`) };
  });

const header = (withPrevious: boolean, first: string): XElement =>
  el('thead', {}, el('tr', {}, [first, 'Résultat', 'Valeurs de référence', 'Interprétation', ...(withPrevious ? ['Antériorités'] : [])].map((h) => el('th', {}, h))));

const isolateOrganizer = (iso: Isolate, ids: Ids, ctx: EntryContext, rows: XElement[], path: string, withPrevious: boolean): XElement => {
  const ref = ids.next('iso');
  rows.push(el('tr', {}, el('td', {}, 'Isolat : ', el('content', { ID: ref }, codeLabel(iso.organism)))));
  const parts = observationRows(iso.observations, ids, ctx, `${path}/component`, withPrevious);
  rows.push(...parts.flatMap((p) => p.row));
  const status = iso.observations.every((o) => o.status !== 'preliminary') ? 'completed' : 'active';
  return el(
    'organizer',
    { classCode: 'CLUSTER', moodCode: 'EVN' },
    el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1.5' }),
    el('templateId', { root: '1.2.250.1.213.1.1.3.79' }),
    el('statusCode', { code: status }),
    el(
      'specimen',
      { typeCode: 'SPC' },
      el(
        'specimenRole',
        { classCode: 'SPEC' },
        el('specimenPlayingEntity', { classCode: 'MIC' }, cd('code', iso.organism, undefined, el('originalText', {}, el('reference', { value: `#${ref}` })))),
      ),
    ),
    parts.map((p) => el('component', {}, p.entry)),
  );
};

const specimenProcedure = (b: Battery, r: LabReport, s: CdaSettings, ids: Ids, rows: XNode[]): XElement | undefined => {
  const sp = b.specimen;
  const collectedAt = sp?.collectedAt ?? r.collectedAt;
  const receivedAt = sp?.receivedAt ?? r.receivedAt;
  if (!sp && !collectedAt) {
    return undefined;
  }
  const ref = ids.next('spec');
  const type = sp?.type;
  const typeLabel = type ? (type.display ?? SPECIMEN_TYPES[type.code] ?? type.code) : 'Échantillon';
  // No text after the content element: the serialiser indents mixed content, which would put a space before it.
  rows.push(el('paragraph', {}, 'Prélèvement : ', el('content', { ID: ref }, typeLabel)));
  if (collectedAt) {
    rows.push(el('paragraph', {}, `Prélevé le ${humanDate(collectedAt)}`));
  }
  return el(
    'entryRelationship',
    { typeCode: 'COMP' },
    el(
      'procedure',
      { classCode: 'PROC', moodCode: 'EVN' },
      el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1.2' }),
      el('templateId', { root: '1.2.250.1.213.1.1.3.77' }),
      el('effectiveTime', {}, ts('high', collectedAt)),
      el(
        'participant',
        { typeCode: 'PRD' },
        el(
          'participantRole',
          { classCode: 'SPEC' },
          sp?.id ? el('id', { root: `${s.lab.oid}.4`, extension: sp.id }) : undefined,
          el(
            'playingEntity',
            {},
            type
              ? el('code', { code: type.code, displayName: type.display ?? SPECIMEN_TYPES[type.code], codeSystem: type.system || OID_SPECIMEN_TYPE }, el('originalText', {}, el('reference', { value: `#${ref}` })))
              : el('code', { nullFlavor: 'UNK' }, el('originalText', {}, el('reference', { value: `#${ref}` }))),
          ),
        ),
      ),
      receivedAt
        ? el(
            'entryRelationship',
            { typeCode: 'COMP' },
            el(
              'act',
              { classCode: 'ACT', moodCode: 'EVN' },
              el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1.3' }),
              el('templateId', { root: '1.2.250.1.213.1.1.3.107' }),
              el('code', { code: 'SPRECEIVE', displayName: 'Échantillon reçu', codeSystem: '1.3.5.1.4.1.19376.1.5.3.2', codeSystemName: 'IHEActCode' }),
              ts('effectiveTime', receivedAt),
            ),
          )
        : undefined,
    ),
  );
};

const authenParticipant = (b: Battery, s: CdaSettings): XElement | undefined =>
  b.validator && b.validatedAt
    ? el(
        'participant',
        { typeCode: 'AUTHEN' },
        el('templateId', { root: '1.3.6.1.4.1.19376.1.3.3.1.5' }),
        el('templateId', { root: '1.2.250.1.213.1.1.3.109' }),
        el('time', {}, ts('high', b.validatedAt)),
        el(
          'participantRole',
          {},
          practitionerId(b.validator),
          addr(b.validator.address ?? s.lab.address),
          telecoms(b.validator.telecom && b.validator.telecom.length > 0 ? b.validator.telecom : s.lab.telecom, 'WP'),
          el('playingEntity', {}, personName(b.validator)),
        ),
      )
    : undefined;

/** The sub-chapter section of one battery (IHE Laboratory Report Item Section + FR-CR-BIO-Sous-Chapitre). */
const batterySection = (b: Battery, chapter: Chapter, r: LabReport, s: CdaSettings, ids: Ids, issues: Issue[]): XElement => {
  const status = batteryStatus(b);
  const ctx: EntryContext = { issues, defaultTime: b.specimen?.collectedAt ?? r.collectedAt };
  const pre: XNode[] = [];
  const specimen = specimenProcedure(b, r, s, ids, pre);
  const withPrevious = [...b.observations, ...b.isolates.flatMap((i) => i.observations)].some((o) => o.previous.length > 0);
  const single = b.observations.length === 1 && b.isolates.length === 0 && b.observations[0]?.code.code === b.code.code;
  const batteryRef = ids.next('bat');
  const rows: XElement[] = [];
  const basePath = '/ClinicalDocument/component/structuredBody/component/section/component/section/entry/act';
  let results: XElement[];
  if (single) {
    const parts = observationRows(b.observations, ids, ctx, `${basePath}/entryRelationship`, withPrevious);
    rows.push(...parts.flatMap((p) => p.row));
    results = parts.map((p) => el('entryRelationship', { typeCode: 'COMP' }, p.entry));
  } else {
    const parts = observationRows(b.observations, ids, ctx, `${basePath}/entryRelationship/organizer/component`, withPrevious);
    rows.push(...parts.flatMap((p) => p.row));
    results =
      b.observations.length > 0 || b.isolates.length === 0
        ? [
            el(
              'entryRelationship',
              { typeCode: 'COMP' },
              el(
                'organizer',
                { classCode: 'BATTERY', moodCode: 'EVN' },
                el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1.4' }),
                el('templateId', { root: '1.2.250.1.213.1.1.3.78' }),
                b.code.system === LOINC
                  ? el('code', { code: b.code.code, displayName: codeLabel(b.code), codeSystem: LOINC, codeSystemName: 'LOINC' }, el('originalText', {}, el('reference', { value: `#${batteryRef}` })))
                  : el('code', {}, el('originalText', {}, el('reference', { value: `#${batteryRef}` })), el('translation', { code: b.code.code, displayName: codeLabel(b.code), codeSystem: b.code.system })),
                el('statusCode', { code: status }),
                parts.map((p) => el('component', {}, p.entry)),
              ),
            ),
          ]
        : [];
  }
  const isolates = b.isolates.map((iso) => el('entryRelationship', { typeCode: 'COMP' }, isolateOrganizer(iso, ids, ctx, rows, `${basePath}/entryRelationship/organizer`, withPrevious)));
  const validation = b.validator && b.validatedAt ? el('paragraph', {}, `Résultats validés par ${practitionerText(b.validator)} le ${humanDate(b.validatedAt)}`) : undefined;
  const text = el(
    'text',
    {},
    pre,
    el('table', { border: '0' }, header(withPrevious, 'Examen'), el('tbody', {}, el('tr', {}, el('td', {}, el('content', { ID: batteryRef, styleCode: 'Bold' }, codeLabel(b.code)))), rows)),
    status === 'active' ? el('paragraph', {}, 'Résultats en cours') : undefined,
    validation,
  );
  return el(
    'component',
    {},
    el(
      'section',
      {},
      el('templateId', { root: '1.3.6.1.4.1.19376.1.3.3.2.2' }),
      el('templateId', { root: '1.2.250.1.213.1.1.2.71' }),
      b.code.system === LOINC ? cd('code', { code: b.code.code, system: LOINC, display: codeLabel(b.code) }, 'LOINC') : cd('code', { code: chapter.code, system: LOINC, display: chapter.display }, 'LOINC'),
      el('title', {}, codeLabel(b.code)),
      text,
      el(
        'entry',
        { typeCode: 'DRIV' },
        el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1' }),
        el('templateId', { root: '1.2.250.1.213.1.1.3.21' }),
        el(
          'act',
          { classCode: 'ACT', moodCode: 'EVN' },
          cd('code', { code: chapter.code, system: LOINC, display: chapter.display }, 'LOINC'),
          el('statusCode', { code: status }),
          authenParticipant(b, s),
          specimen,
          results,
          isolates,
        ),
      ),
    ),
  );
};

/** Chapter sections in order of first appearance, and the chapters for documentationOf. */
export const chapterSections = (r: LabReport, s: CdaSettings, issues: Issue[]): { sections: XElement[]; chapters: Chapter[] } => {
  const counters = new Map<string, number>();
  const ids: Ids = {
    next(kind) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${kind}-${n}`;
    },
  };
  const groups = new Map<string, { chapter: Chapter; batteries: Battery[] }>();
  for (const b of r.batteries) {
    const c = chapterOf(b, issues);
    const g = groups.get(c.code) ?? { chapter: c, batteries: [] };
    g.batteries.push(b);
    groups.set(c.code, g);
  }
  if (groups.size === 0) {
    issues.push(issue('error', 'CDA_NO_RESULTS', '/ClinicalDocument/component/structuredBody', 'The report has no battery: a CR-BIO needs at least one chapter.'));
  }
  const sections = [...groups.values()].map(({ chapter, batteries }) =>
    el(
      'component',
      {},
      el(
        'section',
        {},
        el('templateId', { root: '1.3.6.1.4.1.19376.1.3.3.2.1' }),
        el('templateId', { root: '1.2.250.1.213.1.1.2.70' }),
        cd('code', { code: chapter.code, system: LOINC, display: chapter.display }, 'LOINC'),
        el('title', {}, chapter.display.toUpperCase()),
        batteries.map((b) => batterySection(b, chapter, r, s, ids, issues)),
      ),
    ),
  );
  return { sections, chapters: [...groups.values()].map((g) => g.chapter) };
};

/** FR-Commentaire-non-code section for report-level comments. */
export const commentSection = (r: LabReport): XElement | undefined =>
  r.comments.length === 0
    ? undefined
    : el(
        'component',
        {},
        el(
          'section',
          {},
          el('templateId', { root: '2.16.840.1.113883.10.12.201' }),
          el('templateId', { root: '1.3.6.1.4.1.19376.1.4.1.2.16' }),
          el('templateId', { root: '1.2.250.1.213.1.1.2.73' }),
          cd('code', { code: '55112-7', system: LOINC, display: 'Commentaire' }, 'LOINC'),
          el('title', {}, 'Commentaires'),
          el('text', {}, r.comments.map((c) => txt('paragraph', c))),
        ),
      );
