/**
 * One ORU^R01 (HL7 v2.5) message, already split into segments → LabReport.
 * Structure (v2.5 ch. 7): MSH, PID [PD1] [NK1] [PV1], { [ORC] OBR [NTE] { OBX [NTE] } { SPM [OBX] } }.
 * Also accepts MDM^T02/T04/T10 carrying the SIL's CDA (CI-SIS volet "Transmission de documents CDA en HL7 v2").
 */
import { defaultDmpFlags, type Battery, type DmpFlags, type EmbeddedCda, type Isolate, type LabReport, type Observation, type PatientIdentity, type ReportStatus, type ResultStatus, type Specimen } from '../../core/report/model.js';
import { ORGANISM_CODES } from '../../core/report/microbiology.js';
import { checkCdaAgainstPid, readCdaPatient, readEd, type EdValue } from './attachments.js';
import { bestCode, readCoded, readNdl, readXcn, SNOMED_OID, type CodeOptions } from './coded.js';
import type { MapContext } from './context.js';
import { hl7DateTimeToIso } from './datetime.js';
import { applyMetaObx, isMetaObx, type Mutable } from './flags.js';
import { mapObservation } from './obx.js';
import { mapPatient } from './pid.js';
import type { Segment } from './tokenize.js';

const OBR_STATUS: Readonly<Record<string, ResultStatus>> = {
  F: 'final',
  C: 'corrected',
  P: 'preliminary',
  R: 'preliminary',
  I: 'preliminary',
  S: 'preliminary',
  A: 'preliminary',
  O: 'preliminary',
  X: 'cancelled',
};


interface BatteryBuilder {
  readonly obr: Segment;
  readonly orc?: Segment;
  readonly observations: Observation[];
  readonly isolates: Map<string, { organism: Isolate['organism']; observations: Observation[] }>;
  specimen?: Specimen;
}

export interface MessageHeader {
  readonly sender: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly reportedAt: string;
}

const readHeader = (msh: Segment, ctx: MapContext): MessageHeader | undefined => {
  const app = msh.get(3, 1).trim() || msh.get(3, 2).trim();
  const facility = msh.get(4, 1).trim() || msh.get(4, 2).trim();
  if (app === '' && facility === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', msh.path(3), 'MSH-3/MSH-4 (sending application / facility) are both empty: the sender is unknown.');
  }
  const type = `${msh.get(9, 1).trim().toUpperCase()}^${msh.get(9, 2).trim().toUpperCase()}`;
  if (type === '^') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', msh.path(9), 'MSH-9 message type is required and empty.');
  } else if (!['ORU^R01', 'MDM^T02', 'MDM^T04', 'MDM^T10'].includes(type)) {
    ctx.error('HL7_MESSAGE_TYPE_UNSUPPORTED', msh.path(9), `MSH-9 message type ${type} is not accepted; send ORU^R01 (or MDM^T02/T04/T10 carrying a CDA).`);
  }
  const messageId = ctx.required(msh, 10, 1, 'message control id');
  if (messageId.length > 199) {
    ctx.error('HL7_VALUE_INVALID', msh.path(10), 'MSH-10 message control id is longer than 199 characters.');
  }
  const version = msh.get(12, 1).trim();
  if (version === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', msh.path(12), 'MSH-12 version id is required and empty.');
  } else if (!/^2\.[3-9](\.\d+)?$/.test(version)) {
    ctx.error('HL7_VERSION_UNSUPPORTED', msh.path(12), `MSH-12 version ${version} is not supported; send HL7 v2.5.`);
  } else if (version !== '2.5' && version !== '2.5.1') {
    ctx.warn('HL7_VERSION_ASSUMED', msh.path(12), `MSH-12 version ${version} is read as HL7 v2.5.`);
  }
  const rawTime = msh.get(7, 1).trim();
  let reportedAt = '';
  if (rawTime === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', msh.path(7), 'MSH-7 date/time of message is required and empty.');
  } else {
    const r = hl7DateTimeToIso(rawTime, { minYear: 1990, maxYear: 2200 });
    if (r.ok) {
      reportedAt = r.value;
    } else {
      ctx.error('HL7_DATE_INVALID', msh.path(7), `MSH-7 date/time of message is invalid: ${r.reason}.`);
    }
  }
  if (app === '' && facility === '') {
    return undefined;
  }
  return { sender: `${app}^${facility}`, messageId, messageType: type, reportedAt };
};

const batteryStatus = (obr: Segment, ctx: MapContext): ResultStatus => {
  const v = obr.get(25).trim().toUpperCase();
  if (v === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', obr.path(25), 'OBR-25 result status is required and empty.');
    return 'preliminary';
  }
  const s = OBR_STATUS[v];
  if (s === undefined) {
    ctx.error('HL7_CODE_UNKNOWN', obr.path(25), `OBR-25 result status "${v}" is not in HL7 table 0123.`);
    return 'preliminary';
  }
  return s;
};

const reportStatus = (statuses: readonly ResultStatus[]): ReportStatus => {
  if (statuses.length > 0 && statuses.every((s) => s === 'cancelled')) {
    return 'cancelled';
  }
  if (statuses.includes('corrected')) {
    return 'corrected';
  }
  if (statuses.includes('preliminary')) {
    return 'partial';
  }
  return 'final';
};

const readSpecimen = (spm: Segment, ctx: MapContext, opts: CodeOptions): Specimen => {
  const id = spm.get(2, 2, 1).trim() || spm.get(2, 1, 1).trim();
  const type = bestCode(readCoded(spm.rawRepetitions(4)[0] ?? '', spm.delimiters, spm.path(4), ctx, opts));
  const collectedAt = ctx.dateTime(spm, 17, 1, 1, 'specimen collection date/time');
  const receivedAt = ctx.dateTime(spm, 18, 1, 1, 'specimen received date/time');
  return {
    ...(id !== '' ? { id } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(collectedAt !== undefined ? { collectedAt } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
  };
};

const buildBattery = (b: BatteryBuilder, ctx: MapContext, opts: CodeOptions): Battery => {
  const { obr } = b;
  const code = bestCode(readCoded(obr.rawRepetitions(4)[0] ?? '', obr.delimiters, obr.path(4), ctx, opts));
  if (code === undefined) {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', obr.path(4), 'OBR-4 universal service identifier is required and empty.');
  }
  const status = batteryStatus(obr, ctx);
  const collectedAt = ctx.dateTime(obr, 7, 1, 1, 'observation (collection) date/time');
  const receivedAt = ctx.dateTime(obr, 14, 1, 1, 'specimen received date/time');
  const validatedAt = ctx.dateTime(obr, 22, 1, 1, 'results report date/time');
  const sourceType = bestCode(readCoded(obr.rawRepetitions(15)[0] ?? '', obr.delimiters, obr.path(15), ctx, opts));
  const fromObr: Specimen = {
    ...(sourceType !== undefined ? { type: sourceType } : {}),
    ...(collectedAt !== undefined ? { collectedAt } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
  };
  const specimen = b.specimen !== undefined ? { ...fromObr, ...b.specimen } : Object.keys(fromObr).length > 0 ? fromObr : undefined;
  const validator = readNdl(obr.rawRepetitions(32)[0], obr.delimiters);
  return {
    code: code ?? { code: '', system: '' },
    status,
    ...(specimen !== undefined ? { specimen } : {}),
    observations: b.observations,
    isolates: [...b.isolates.values()].map((i) => ({ organism: i.organism, observations: i.observations })),
    ...(validator !== undefined ? { validator } : {}),
    ...(validatedAt !== undefined ? { validatedAt } : {}),
    sourcePath: obr.label,
  };
};

/**
 * The action on the SIL's CDA (volet "Transmission de documents CDA en HL7 v2", évènements déclenchants): OBX-11
 * F = initial, C = replacement, D = deletion; ORC-1 must agree (NW / RO / CA), and for MDM the event (T02 / T10 /
 * T04). "En cas d'incohérence entre ces champs, le message HL7 sera rejeté."
 */
const ACTION_BY_OBX: Readonly<Record<string, EmbeddedCda['action']>> = { F: 'initial', C: 'replace', D: 'delete' };
const ACTION_BY_ORC: Readonly<Record<string, EmbeddedCda['action']>> = { NW: 'initial', RO: 'replace', CA: 'delete' };
const ACTION_BY_MDM: Readonly<Record<string, EmbeddedCda['action']>> = { 'MDM^T02': 'initial', 'MDM^T10': 'replace', 'MDM^T04': 'delete' };

const cdaAction = (obx: Segment, orc: Segment | undefined, msh: Segment, messageType: string, ctx: MapContext): EmbeddedCda['action'] => {
  const status = obx.get(11).trim().toUpperCase();
  const action = ACTION_BY_OBX[status];
  if (action === undefined) {
    ctx.error('HL7_CODE_UNKNOWN', obx.path(11), `OBX-11 of a CDA document must be F (validated document), C (replacement) or D (deletion), not "${status}".`);
    return 'initial';
  }
  if (messageType.startsWith('MDM')) {
    if (ACTION_BY_MDM[messageType] !== action) {
      ctx.error('HL7_CDA_ACTION_CONFLICT', msh.path(9), `MSH-9 ${messageType} disagrees with OBX-11 ${status} (the volet pairs T02/F, T10/C, T04/D).`);
    }
  } else if (orc === undefined) {
    ctx.error('HL7_SEGMENT_MISSING', 'ORC', 'An ORU carrying a CDA document needs its ORC (ORC-1 NW, RO or CA).');
  }
  if (orc !== undefined) {
    const control = orc.get(1).trim().toUpperCase();
    if (ACTION_BY_ORC[control] !== action) {
      ctx.error('HL7_CDA_ACTION_CONFLICT', orc.path(1), `ORC-1 "${control}" disagrees with OBX-11 ${status} (the volet pairs NW/F, RO/C, CA/D).`);
    }
  }
  return action;
};

export interface OruResult {
  readonly header?: MessageHeader;
  readonly report?: LabReport;
}

const hasErrorsIn = (ctx: MapContext): boolean => ctx.issues.some((i) => i.severity === 'error');

export const mapOru = (segments: readonly Segment[], ctx: MapContext, opts: CodeOptions): OruResult => {
  const msh = segments[0] as Segment;
  const header = readHeader(msh, ctx);
  let pidSeg: Segment | undefined;
  let zfd: Segment | undefined;
  let txa: Segment | undefined;
  let orc: Segment | undefined;
  let current: BatteryBuilder | undefined;
  let commentTarget: string[];
  const reportComments: string[] = [];
  commentTarget = reportComments;
  const batteries: BatteryBuilder[] = [];
  const flags: Mutable<DmpFlags> = { ...defaultDmpFlags };
  const cdas: { ed: EdValue; obx: Segment; orc?: Segment }[] = [];
  let pdf: EdValue | undefined;

  for (const seg of segments.slice(1)) {
    switch (seg.name) {
      case 'PID':
        if (pidSeg !== undefined) {
          ctx.error('HL7_SEGMENT_REPEATED', seg.label, 'The message has more than one PID segment; send one patient per message.');
        } else if (batteries.length > 0) {
          ctx.error('HL7_SEGMENT_ORDER', seg.label, 'PID must come before ORC/OBR.');
        }
        pidSeg ??= seg;
        break;
      case 'ZFD':
        zfd = seg;
        break;
      case 'TXA':
        txa ??= seg;
        break;
      case 'ORC':
        orc = seg;
        break;
      case 'OBR':
        current = { obr: seg, ...(orc !== undefined ? { orc } : {}), observations: [], isolates: new Map() };
        batteries.push(current);
        commentTarget = reportComments;
        break;
      case 'SPM':
        if (current === undefined) {
          ctx.error('HL7_SEGMENT_ORDER', seg.label, 'SPM comes before any OBR.');
          break;
        }
        current.specimen = readSpecimen(seg, ctx, opts);
        break;
      case 'NTE': {
        const text = seg.rawRepetitions(3).map((_, i) => seg.get(3, 1, 1, i + 1)).join('\n').trim();
        if (text !== '') {
          commentTarget.push(text);
        }
        break;
      }
      case 'OBX': {
        if (isMetaObx(seg)) {
          applyMetaObx(seg, flags, ctx);
          break;
        }
        const type = seg.get(2).trim().toUpperCase();
        if (type === 'ED') {
          const ed = readEd(seg, ctx);
          if (ed?.kind === 'cda') {
            cdas.push({ ed, obx: seg, ...(orc !== undefined ? { orc } : {}) });
          } else if (ed?.kind === 'pdf') {
            if (pdf === undefined) {
              pdf = ed;
            } else {
              ctx.warn('HL7_PDF_REPEATED', seg.path(5), 'A second PDF (OBX ED) was sent; only the first is kept.');
            }
          } else if (ed !== undefined) {
            ctx.warn('HL7_ED_IGNORED', seg.path(5), 'OBX-5 (ED) is neither a PDF nor a CDA; ignored.');
          }
          break;
        }
        if (current === undefined) {
          ctx.error('HL7_SEGMENT_ORDER', seg.label, 'A result OBX comes before any OBR.');
          break;
        }
        const comments: string[] = [];
        const obs = mapObservation(seg, ctx, opts, comments);
        commentTarget = comments;
        if (obs === undefined) {
          break;
        }
        const subId = seg.get(4).trim();
        // An "organism identified" result (ORGANISM_CODES or a SNOMED CT value) with a sub-id opens an isolate.
        const isOrganism =
          subId !== '' && obs.value?.type === 'coded' && (ORGANISM_CODES.has(obs.code.code) || obs.value.code.system === SNOMED_OID) && !current.isolates.has(subId);
        const isolateKey = subId.split('.')[0] ?? '';
        if (isOrganism && obs.value?.type === 'coded') {
          current.isolates.set(subId, { organism: obs.value.code, observations: [] });
        } else if (subId !== '' && current.isolates.has(isolateKey)) {
          current.isolates.get(isolateKey)?.observations.push(obs);
        } else {
          current.observations.push(obs);
        }
        break;
      }
      default:
        // PD1, NK1, PV1, PV2, PRT, TQ1, CTD, FT1, CTI, TXA, EVN, Z-segments: not needed for the report.
        break;
    }
  }

  if (pidSeg === undefined) {
    ctx.error('HL7_SEGMENT_MISSING', 'PID', 'The message has no PID segment.');
    return header !== undefined ? { header } : {};
  }
  const patient: PatientIdentity = mapPatient(pidSeg, zfd, ctx);
  const isMdm = header?.messageType.startsWith('MDM') ?? false;
  if (batteries.length === 0 && !isMdm) {
    ctx.error('HL7_SEGMENT_MISSING', 'OBR', 'The message has no OBR segment (no examination).');
  } else if (cdas.length === 0 && batteries.length > 0 && batteries.every((b) => b.observations.length === 0 && b.isolates.size === 0) && !hasErrorsIn(ctx)) {
    ctx.error('HL7_SEGMENT_MISSING', 'OBX', 'The message has no result (no OBX besides flags and attachments) and no CDA document: there is nothing to report.');
  }
  const built = batteries.map((b) => buildBattery(b, ctx, opts));
  let embeddedCda: EmbeddedCda | undefined;
  if (cdas.length > 0) {
    const parsed = cdas.map((c) => ({ c, cda: readCdaPatient(c.ed, ctx) }));
    for (const p of parsed) {
      if (p.cda !== undefined) {
        checkCdaAgainstPid(p.cda, patient, p.c.ed, ctx);
      }
    }
    const chosen = parsed.find((p) => p.cda?.hasStructuredBody) ?? parsed[0];
    if (chosen !== undefined) {
      const action = cdaAction(chosen.c.obx, chosen.c.orc, msh, header?.messageType ?? '', ctx);
      embeddedCda = { base64: chosen.c.ed.base64, action };
      if (parsed.length > 1) {
        ctx.info('HL7_CDA_ALTERNATIVE', chosen.c.obx.label, `${parsed.length} CDA documents were sent; the one in ${chosen.c.obx.label}${chosen.cda?.hasStructuredBody ? ' (structured body)' : ''} is delivered.`);
      }
    }
  } else if (isMdm) {
    ctx.error('HL7_SEGMENT_MISSING', 'OBX', 'An MDM message must carry the CDA document in an OBX of type ED.');
  }

  const first = batteries[0];
  let accession = first !== undefined ? first.obr.get(3, 1).trim() || (first.orc?.get(3, 1).trim() ?? '') : '';
  if (first !== undefined && accession === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', first.obr.path(3), 'OBR-3 filler order number (the accession number) is required and empty (ORC-3 is empty too).');
  }
  if (first === undefined && isMdm) {
    // MDM: the document's unique number (TXA-12) stands for the accession number.
    if (txa === undefined) {
      ctx.error('HL7_SEGMENT_MISSING', 'TXA', 'An MDM message needs its TXA segment (document header).');
    } else {
      accession = txa.get(12, 1).trim();
      if (accession === '') {
        ctx.error('HL7_REQUIRED_FIELD_MISSING', txa.path(12), 'TXA-12 unique document number is required and empty.');
      }
    }
  }
  const placer = first !== undefined ? first.obr.get(2, 1).trim() || (first.orc?.get(2, 1).trim() ?? '') : '';
  const prescriber = first !== undefined ? (readXcn(first.orc?.rawRepetitions(12)[0], msh.delimiters) ?? readXcn(first.obr.rawRepetitions(16)[0], msh.delimiters)) : undefined;
  const collector = first !== undefined ? readXcn(first.obr.rawRepetitions(10)[0], msh.delimiters) : undefined;
  const orderedAt = first !== undefined ? (ctx.dateTime(first.obr, 6, 1, 1, 'requested date/time') ?? (first.orc ? ctx.dateTime(first.orc, 9, 1, 1, 'transaction date/time') : undefined)) : undefined;
  const collectedAt = built.map((b) => b.specimen?.collectedAt).find((t) => t !== undefined);
  const receivedAt = built.map((b) => b.specimen?.receivedAt).find((t) => t !== undefined);
  const validated = built.map((b) => b.validatedAt).filter((t): t is string => t !== undefined).sort();
  const responsibleBiologist = built.map((b) => b.validator).find((v) => v !== undefined);
  if (header === undefined) {
    return {};
  }
  const report: LabReport = {
    sender: header.sender,
    messageId: header.messageId,
    accessionNumber: accession,
    ...(placer !== '' ? { placerOrderNumber: placer } : {}),
    status: reportStatus(built.map((b) => b.status)),
    patient,
    ...(prescriber !== undefined ? { prescriber } : {}),
    ...(collector !== undefined ? { specimenCollector: collector } : {}),
    ...(responsibleBiologist !== undefined ? { responsibleBiologist } : {}),
    ...(orderedAt !== undefined ? { orderedAt } : {}),
    ...(collectedAt !== undefined ? { collectedAt } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    reportedAt: validated[validated.length - 1] ?? header.reportedAt,
    batteries: built,
    comments: reportComments,
    flags,
    ...(pdf !== undefined ? { pdf: { base64: pdf.base64 } } : {}),
    ...(embeddedCda !== undefined ? { embeddedCda } : {}),
    sourceFormat: 'hl7v2',
  };
  return { header, report };
};
