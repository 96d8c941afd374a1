/**
 * FHIR R4 Bundle (application/fhir+json) → LabReport: one DiagnosticReport with its Observations (panels through
 * hasMember become batteries; microbiology isolates as results.ts reads them), Patient, Specimen, ServiceRequest,
 * Practitioner, and optionally a Consent (the patient's opposition to DMP feeding). Problems are issues with JSON paths; refusals are GatewayError.
 */
import { GatewayError } from '../../core/errors/index.js';
import { defaultDmpFlags, type Battery, type DmpFlags, type LabReport, type Observation, type ReportStatus, type ResultStatus, type ResultValue, type Specimen } from '../../core/report/model.js';
import { toObservationInterpretation } from '../../core/report/interpretation.js';
import { toUcum } from '../../core/report/ucum.js';
import { dateProblem } from '../../core/report/dates.js';
import { hasErrors, issue, type Issue } from '../../core/validation/issue.js';
import { Node } from './json.js';
import { mapFhirPatient, oidOf } from './patient.js';
import { readConcept, readPractitioner } from './datatypes.js';
import { readResults } from './results.js';

export interface FhirParseOptions {
  readonly maxBytes?: number;
  /** Year bound for plausible dates (default: the year of Bundle.timestamp, else 2200). */
  readonly maxYear?: number;
}

export interface ParsedFhirReport {
  readonly report: LabReport;
  readonly issues: readonly Issue[];
}

const LOINC = '2.16.840.1.113883.6.1';
const VISIBILITY_OID = '1.2.250.1.213.1.1.4.13';

const OBS_STATUS: Readonly<Record<string, ResultStatus>> = {
  final: 'final',
  amended: 'corrected',
  corrected: 'corrected',
  preliminary: 'preliminary',
  registered: 'preliminary',
  cancelled: 'cancelled',
  'entered-in-error': 'cancelled',
};
const DR_STATUS: Readonly<Record<string, ReportStatus>> = {
  registered: 'partial',
  partial: 'partial',
  preliminary: 'partial',
  final: 'final',
  amended: 'corrected',
  corrected: 'corrected',
  appended: 'corrected',
  cancelled: 'cancelled',
  'entered-in-error': 'cancelled',
};

const fail = (issues: readonly Issue[]): GatewayError => {
  const first = issues.find((i) => i.severity === 'error');
  if (first === undefined) {
    const generic = issue('error', 'FHIR_VALUE_INVALID', '$', 'The Bundle cannot be read as a lab report.');
    return new GatewayError(generic.code, generic.message, { issues: [...issues, generic] });
  }
  return new GatewayError(first.code, first.message, { issues });
};

class Ctx {
  readonly issues: Issue[] = [];
  constructor(readonly maxYear: number) {}
  error(code: string, path: string, message: string): void {
    this.issues.push(issue('error', code, path, message));
  }
  warn(code: string, path: string, message: string): void {
    this.issues.push(issue('warning', code, path, message));
  }
  /** FHIR dateTime / instant → the model's ISO form (kept as written when valid). */
  dateTime(n: Node, what: string): string | undefined {
    if (!n.exists) {
      return undefined;
    }
    const v = n.str() ?? '';
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(v);
    const problem = m
      ? dateProblem(
          { y: Number(m[1]), ...(m[2] ? { mo: Number(m[2]) } : {}), ...(m[3] ? { d: Number(m[3]) } : {}), ...(m[4] ? { h: Number(m[4]) } : {}), ...(m[5] ? { mi: Number(m[5]) } : {}), ...(m[6] ? { s: Number(m[6]) } : {}) },
          { minYear: 1900, maxYear: this.maxYear },
        )
      : 'it is not a FHIR dateTime';
    if (problem !== undefined) {
      this.error('FHIR_VALUE_INVALID', n.path, `${what} is invalid: ${problem}.`);
      return undefined;
    }
    return v;
  }
}

const readValue = (o: Node, ctx: Ctx): ResultValue | undefined => {
  const q = o.get('valueQuantity');
  if (q.exists) {
    const value = q.get('value').num();
    if (value === undefined) {
      ctx.error('FHIR_VALUE_INVALID', q.get('value').path, 'valueQuantity.value must be a number.');
      return undefined;
    }
    const raw = q.get('system').str() === 'http://unitsofmeasure.org' ? (q.get('code').str() ?? '') : (q.get('unit').str() ?? q.get('code').str() ?? '');
    const unit = toUcum(raw);
    if (!unit.known) {
      ctx.warn('HL7_UNIT_NOT_UCUM', q.path, `Unit "${raw}" is not in the UCUM table; kept as written.`);
    }
    const cmp = q.get('comparator').str();
    if (cmp !== undefined && !['<', '<=', '>', '>='].includes(cmp)) {
      ctx.error('FHIR_VALUE_INVALID', q.get('comparator').path, 'comparator must be <, <=, > or >=.');
      return undefined;
    }
    return { type: 'quantity', value, unit: unit.ucum, ...(cmp ? { comparator: cmp as '<' | '<=' | '>' | '>=' } : {}) };
  }
  const r = o.get('valueRange');
  if (r.exists) {
    const low = r.get('low').get('value').num();
    const high = r.get('high').get('value').num();
    return { type: 'range', ...(low ? { low } : {}), ...(high ? { high } : {}), unit: toUcum(r.get('low').get('code').str() ?? r.get('high').get('code').str() ?? '').ucum };
  }
  const cc = o.get('valueCodeableConcept');
  if (cc.exists) {
    const { code } = readConcept(cc);
    if (code === undefined) {
      ctx.error('FHIR_VALUE_INVALID', cc.path, 'valueCodeableConcept has no coding with system and code.');
      return undefined;
    }
    return { type: 'coded', code };
  }
  const s = o.get('valueString').str();
  if (s !== undefined) {
    return { type: 'text', text: s };
  }
  return undefined;
};

export const parseFhirBundle = (input: Buffer | string, opts: FhirParseOptions = {}): ParsedFhirReport => {
  const max = opts.maxBytes ?? 8 * 1024 * 1024;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > max) {
    throw new GatewayError('PAYLOAD_TOO_LARGE', `The bundle is ${size} bytes; the limit is ${max}.`, { issues: [issue('error', 'PAYLOAD_TOO_LARGE', '$', `larger than the ${max}-byte limit`)] });
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input));
  } catch (e) {
    throw fail([issue('error', 'FHIR_NOT_JSON', '$', `The body is not UTF-8 JSON: ${e instanceof Error ? e.message.slice(0, 120) : 'unreadable'}.`)]);
  }
  return mapBundle(new Node(json, '$'), opts);
};

export const mapBundle = (b: Node, opts: FhirParseOptions = {}): ParsedFhirReport => {
  if (!b.isObject || b.get('resourceType').str() !== 'Bundle') {
    throw fail([issue('error', 'FHIR_NOT_BUNDLE', '$.resourceType', 'The JSON is not a FHIR Bundle (resourceType "Bundle").')]);
  }
  const year = Number((b.get('timestamp').str() ?? '').slice(0, 4));
  const ctx = new Ctx(opts.maxYear ?? (Number.isInteger(year) && year > 1990 ? year + 1 : 2200));
  const messageId = b.get('identifier').get('value').str() ?? '';
  if (messageId === '') {
    ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', '$.identifier.value', 'Bundle.identifier.value is required: it identifies the message (idempotency).');
  }
  const sender = b.get('identifier').get('system').str() ?? 'fhir';
  const entries = b.get('entry').items();
  const byRef = new Map<string, Node>();
  for (const e of entries) {
    const r = e.get('resource');
    const type = r.get('resourceType').str();
    const id = r.get('id').str();
    const fullUrl = e.get('fullUrl').str();
    if (fullUrl) {
      byRef.set(fullUrl, r);
    }
    if (type && id) {
      byRef.set(`${type}/${id}`, r);
    }
  }
  const resolve = (ref: Node, expected: string): Node | undefined => {
    const v = ref.get('reference').str();
    if (v === undefined) {
      if (ref.exists) {
        ctx.error('FHIR_VALUE_INVALID', ref.path, `A Reference to a ${expected} needs a "reference" string.`);
      }
      return undefined;
    }
    const r = byRef.get(v);
    if (r === undefined || r.get('resourceType').str() !== expected) {
      ctx.error('FHIR_REFERENCE_UNRESOLVED', ref.get('reference').path, `Reference does not resolve to a ${expected} in the Bundle.`);
      return undefined;
    }
    return r;
  };
  const reports = entries.map((e) => e.get('resource')).filter((r) => r.get('resourceType').str() === 'DiagnosticReport');
  if (reports.length !== 1) {
    ctx.error(reports.length === 0 ? 'FHIR_RESOURCE_MISSING' : 'FHIR_VALUE_INVALID', '$.entry', reports.length === 0 ? 'The Bundle has no DiagnosticReport.' : 'Send one DiagnosticReport per Bundle.');
    throw fail(ctx.issues);
  }
  const dr = reports[0] as Node;
  const patientNode = resolve(dr.get('subject'), 'Patient');
  if (patientNode === undefined) {
    if (!dr.get('subject').exists) {
      ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', dr.get('subject').path, 'DiagnosticReport.subject (the Patient) is required.');
    }
    throw fail(ctx.issues);
  }
  const patient = mapFhirPatient(patientNode, ctx.maxYear, ctx.issues);
  const drStatusRaw = dr.get('status').str() ?? '';
  const status = DR_STATUS[drStatusRaw];
  if (status === undefined) {
    ctx.error(drStatusRaw === '' ? 'FHIR_REQUIRED_ELEMENT_MISSING' : 'FHIR_VALUE_INVALID', dr.get('status').path, 'DiagnosticReport.status is required (registered, partial, preliminary, final, amended, corrected, appended, cancelled).');
  }
  const drCode = readConcept(dr.get('code')).code;
  if (drCode === undefined) {
    ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', dr.get('code').path, 'DiagnosticReport.code needs a coding with system and code.');
  }

  const sr = dr.get('basedOn').items().map((r) => resolve(r, 'ServiceRequest')).find((r) => r !== undefined);
  const accession = dr.get('identifier').at(0).get('value').str() ?? sr?.get('requisition').get('value').str() ?? '';
  if (accession === '') {
    ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', dr.get('identifier').path, 'DiagnosticReport.identifier[0].value (the accession number) is required.');
  }
  const placer = sr?.get('identifier').at(0).get('value').str();
  const prescriberNode = sr ? resolve(sr.get('requester'), 'Practitioner') : undefined;
  const interpreterNode = dr.get('resultsInterpreter').items().map((r) => resolve(r, 'Practitioner')).find((r) => r !== undefined);

  const specimens = dr.get('specimen').items().map((r) => resolve(r, 'Specimen')).filter((r): r is Node => r !== undefined);
  const specimen: Specimen | undefined = specimens[0]
    ? (() => {
        const s = specimens[0];
        const type = readConcept(s.get('type')).code;
        const collectedAt = ctx.dateTime(s.get('collection').get('collectedDateTime'), 'Specimen.collection.collectedDateTime');
        const receivedAt = ctx.dateTime(s.get('receivedTime'), 'Specimen.receivedTime');
        const id = s.get('accessionIdentifier').get('value').str() ?? s.get('identifier').at(0).get('value').str();
        return { ...(id ? { id } : {}), ...(type ? { type } : {}), ...(collectedAt ? { collectedAt } : {}), ...(receivedAt ? { receivedAt } : {}) };
      })()
    : undefined;

  const mapObs = (o: Node, entryPath: string): Observation | undefined => {
    const { code, local } = readConcept(o.get('code'));
    if (code === undefined) {
      ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', o.get('code').path, 'Observation.code needs a coding with system and code.');
      return undefined;
    }
    if (code.system !== LOINC) {
      ctx.warn('HL7_NO_LOINC', o.get('code').path, 'Observation.code has no LOINC coding, only a local one.');
    }
    const st = OBS_STATUS[o.get('status').str() ?? ''];
    if (st === undefined) {
      ctx.error('FHIR_VALUE_INVALID', o.get('status').path, 'Observation.status is required (final, preliminary, amended, corrected, cancelled…).');
    }
    const value = readValue(o, ctx);
    const rr = o.get('referenceRange').at(0);
    const low = rr.get('low').get('value').num();
    const high = rr.get('high').get('value').num();
    const text = rr.get('text').str();
    const unit = value?.type === 'quantity' && value.unit !== '' ? value.unit : undefined;
    const referenceRange = rr.isObject ? { ...(low ? { low } : {}), ...(high ? { high } : {}), ...((low || high) && unit ? { unit } : {}), ...(!low && !high && text ? { text } : {}) } : undefined;
    const interpretations: string[] = [];
    o.get('interpretation').items().forEach((i) => {
      const c = i.get('coding').at(0).get('code').str() ?? '';
      const m = toObservationInterpretation(c);
      if (m === undefined) {
        ctx.warn('HL7_INTERPRETATION_UNKNOWN', i.path, `Interpretation "${c}" is not an ObservationInterpretation code; dropped.`);
      } else if (!interpretations.includes(m)) {
        interpretations.push(m);
      }
    });
    const effectiveTime = ctx.dateTime(o.get('effectiveDateTime'), 'Observation.effectiveDateTime');
    const method = o.get('method').get('text').str() ?? o.get('method').get('coding').at(0).get('display').str();
    return {
      code,
      ...(local ? { localCode: local } : {}),
      ...(value ? { value } : {}),
      ...(referenceRange && Object.keys(referenceRange).length > 0 ? { referenceRange } : {}),
      interpretations,
      status: st ?? 'preliminary',
      ...(effectiveTime ? { effectiveTime } : {}),
      ...(method ? { method } : {}),
      comments: o.get('note').items().map((n) => n.get('text').str() ?? '').filter((t) => t !== ''),
      previous: [],
      sourcePath: entryPath,
    };
  };

  const entryPathOf = (r: Node): string => r.path.replace(/\.resource$/, '');
  const lookup = (ref: Node, expected: string): Node | undefined => {
    const r = byRef.get(ref.get('reference').str() ?? '');
    return r?.get('resourceType').str() === expected ? r : undefined;
  };
  const tree = readResults(dr, {
    resolve,
    lookup,
    mapObservation: (o) => mapObs(o, entryPathOf(o)),
    error: (code, path, message) => ctx.error(code, path, message),
    warn: (code, path, message) => ctx.warn(code, path, message),
  });
  const batteries: Battery[] = tree.panels.map(({ node, group }) => ({
    code: readConcept(node.get('code')).code ?? { code: '', system: '' },
    status: OBS_STATUS[node.get('status').str() ?? ''] ?? 'preliminary',
    ...(specimen ? { specimen } : {}),
    observations: group.observations,
    isolates: group.isolates,
    sourcePath: entryPathOf(node),
  }));
  const drStatus: ResultStatus = status === 'partial' ? 'preliminary' : status === 'corrected' ? 'corrected' : status === 'cancelled' ? 'cancelled' : 'final';
  const { loose } = tree;
  if (loose.observations.length > 0 || loose.isolates.length > 0 || batteries.length === 0) {
    batteries.unshift({
      code: drCode ?? { code: '', system: '' },
      status: drStatus,
      ...(specimen ? { specimen } : {}),
      observations: loose.observations,
      isolates: loose.isolates,
      sourcePath: entryPathOf(dr),
    });
  }

  const flags: { -readonly [K in keyof DmpFlags]: DmpFlags[K] } = { ...defaultDmpFlags };
  for (const s of dr.get('meta').get('security').items()) {
    if (oidOf(s.get('system').str()) !== VISIBILITY_OID) {
      continue;
    }
    const c = s.get('code').str();
    if (c === 'MASQUE_PS') {
      flags.maskedFromProfessionals = true;
    } else if (c === 'INVISIBLE_PATIENT') {
      flags.invisibleToPatient = true;
    } else if (c === 'INVISIBLE_REPRESENTANTS_LEGAUX') {
      flags.invisibleToLegalRepresentatives = true;
    }
  }
  // The patient's opposition to DMP feeding: an active Consent whose provision denies (our convention, decisions.md).
  flags.patientOpposed = entries.some((e) => {
    const r = e.get('resource');
    return r.get('resourceType').str() === 'Consent' && r.get('status').str() === 'active' && r.get('provision').get('type').str() === 'deny';
  });

  const pdfForm = dr.get('presentedForm').items().find((f) => f.get('contentType').str() === 'application/pdf');
  const pdfData = pdfForm?.get('data').str();
  if (pdfForm && (!pdfData || !Buffer.from(pdfData.slice(0, 16), 'base64').toString('latin1').startsWith('%PDF-'))) {
    ctx.error('FHIR_VALUE_INVALID', pdfForm.get('data').path, 'presentedForm (application/pdf) data is not a Base64 PDF.');
  }
  const reportedAt = ctx.dateTime(dr.get('issued'), 'DiagnosticReport.issued') ?? ctx.dateTime(b.get('timestamp'), 'Bundle.timestamp');
  if (reportedAt === undefined && !dr.get('issued').exists && !b.get('timestamp').exists) {
    ctx.error('FHIR_REQUIRED_ELEMENT_MISSING', dr.get('issued').path, 'DiagnosticReport.issued (or Bundle.timestamp) is required.');
  }
  const collectedAt = ctx.dateTime(dr.get('effectiveDateTime'), 'DiagnosticReport.effectiveDateTime') ?? specimen?.collectedAt;
  const orderedAt = sr ? ctx.dateTime(sr.get('authoredOn'), 'ServiceRequest.authoredOn') : undefined;
  if (hasErrors(ctx.issues)) {
    throw fail(ctx.issues);
  }
  const prescriber = readPractitioner(prescriberNode);
  const biologist = readPractitioner(interpreterNode);
  const report: LabReport = {
    sender,
    messageId,
    accessionNumber: accession,
    ...(placer ? { placerOrderNumber: placer } : {}),
    status: status ?? 'final',
    patient,
    ...(prescriber ? { prescriber } : {}),
    ...(biologist ? { responsibleBiologist: biologist } : {}),
    ...(orderedAt ? { orderedAt } : {}),
    ...(collectedAt ? { collectedAt } : {}),
    ...(specimen?.receivedAt ? { receivedAt: specimen.receivedAt } : {}),
    reportedAt: reportedAt ?? '',
    batteries,
    comments: dr.get('conclusion').str() ? [dr.get('conclusion').str() as string] : [],
    flags,
    ...(pdfData ? { pdf: { base64: pdfData } } : {}),
    sourceFormat: 'fhir',
  };
  return { report, issues: ctx.issues };
};
