/**
 * A FHIR R4 rendering of a lab report (for users who want FHIR and for the MHD route): a Bundle (collection) with
 * the Patient (FR Core INS profile when the INS is qualified), the laboratory Organization, the biologists, the
 * Specimens, the Observations (panels with hasMember, isolates) and the DiagnosticReport. Pure: ids and time in.
 * FR Core canonical URLs follow the current FR Core sources (standards.md §1.7; version caveat there).
 */
import type { Code, LabReport, Observation, Practitioner, ReferenceRange, ResultValue, Specimen } from '../report/model.js';
import { INS_OID } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';

export type Json = { [key: string]: unknown };

const FR_CORE = 'https://hl7.fr/ig/fhir/core';
const SYSTEMS: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.6.1': 'http://loinc.org',
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.5.83': 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  '2.16.840.1.113883.18.311': 'http://terminology.hl7.org/CodeSystem/v2-0487',
};
export const systemUri = (oid: string): string => SYSTEMS[oid] ?? (/^[0-2](\.\d+)+$/.test(oid) ? `urn:oid:${oid}` : oid);
const coding = (c: Code): Json => ({ system: systemUri(c.system), code: c.code, ...(c.display ? { display: c.display } : {}) });

const INS_TYPES: Readonly<Record<string, { code: string; use: string }>> = {
  [INS_OID.NIR]: { code: 'INS-NIR', use: 'official' },
  [INS_OID.NIA]: { code: 'INS-NIA', use: 'temp' },
  [INS_OID.NIR_TEST]: { code: 'INS-NIR-TEST', use: 'official' },
  [INS_OID.NIR_DEMO]: { code: 'INS-NIR-DEMO', use: 'official' },
};

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** FHIR dateTime: seconds added; a time without offset keeps only the date; unknown month/day (`00`) truncate. */
export const fhirDateTime = (iso: string | undefined): string | undefined => {
  const m = iso ? ISO.exec(iso) : null;
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (!mo || mo === '00') {
    return y;
  }
  if (!d || d === '00') {
    return `${y}-${mo}`;
  }
  if (!h || !tz) {
    return `${y}-${mo}-${d}`;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz}`;
};

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) {
    return undefined;
  }
  const n = Number(v.trim().replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
};

const quantity = (value: string | undefined, unit: string | undefined, comparator?: string): Json | undefined => {
  const n = num(value);
  return n === undefined ? undefined : { value: n, ...(comparator ? { comparator } : {}), ...(unit ? { unit, system: 'http://unitsofmeasure.org', code: unit } : {}) };
};

const valueOf = (v: ResultValue | undefined): Json => {
  if (!v) {
    return {};
  }
  switch (v.type) {
    case 'quantity': {
      const q = quantity(v.value, v.unit, v.comparator);
      return q ? { valueQuantity: q } : { valueString: `${v.comparator ?? ''}${v.value} ${v.unit}`.trim() };
    }
    case 'range':
      return { valueRange: { ...(v.low !== undefined ? { low: quantity(v.low, v.unit) } : {}), ...(v.high !== undefined ? { high: quantity(v.high, v.unit) } : {}) } };
    case 'coded':
      return { valueCodeableConcept: { coding: [coding(v.code)], ...(v.code.display ? { text: v.code.display } : {}) } };
    case 'text':
      return { valueString: v.text };
  }
};

const range = (r: ReferenceRange | undefined): Json[] => {
  if (!r) {
    return [];
  }
  const low = quantity(r.low, r.unit);
  const high = quantity(r.high, r.unit);
  return [{ ...(low ? { low } : {}), ...(high ? { high } : {}), ...(r.text ? { text: r.text } : {}) }];
};

const STATUS = { final: 'final', preliminary: 'preliminary', corrected: 'corrected', cancelled: 'cancelled' } as const;
const REPORT_STATUS = { partial: 'partial', final: 'final', corrected: 'corrected', cancelled: 'cancelled' } as const;
const LAB_CATEGORY = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];

export interface FhirRenderOptions {
  readonly labOid: string;
  readonly labName: string;
  readonly finess: string;
  /** Bundle.id; resource ids are derived from it. */
  readonly bundleId: string;
  /** Bundle.timestamp (ISO 8601 with offset). */
  readonly at: string;
}

const patientResource = (r: LabReport, issues: Issue[]): Json => {
  const p = r.patient;
  const qualified = p.ins !== undefined && p.status === 'QUAL' && !p.attributes.some((a) => a === 'DOUT' || a === 'FICT');
  const insType = p.ins ? INS_TYPES[p.ins.oid] : undefined;
  if (p.ins && !qualified) {
    issues.push(issue('warning', 'FHIR_INS_NOT_SENT', '$.entry[0].resource.identifier', 'The INS is left out: the identity is not qualified.'));
  }
  const identifier: Json[] = [
    ...(qualified && p.ins && insType
      ? [{ use: insType.use, type: { coding: [{ system: `${FR_CORE}/CodeSystem/fr-core-cs-v2-0203`, code: insType.code }] }, system: `urn:oid:${p.ins.oid}`, value: p.ins.value }]
      : []),
    ...p.identifiers.map((i) => ({ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] }, system: systemUri(i.system), value: i.value })),
  ];
  const birthDate = fhirDateTime(p.birthDate);
  return {
    resourceType: 'Patient',
    id: 'patient',
    meta: { profile: [`${FR_CORE}/StructureDefinition/${qualified ? 'fr-core-patient-ins' : 'fr-core-patient'}`] },
    extension: [
      {
        url: `${FR_CORE}/StructureDefinition/fr-core-identity-reliability`,
        extension: [{ url: 'identityStatus', valueCoding: { system: `${FR_CORE}/CodeSystem/fr-core-cs-identity-status`, code: p.status } }],
      },
      ...(p.birthPlaceCog
        ? [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { extension: [{ url: `${FR_CORE}/StructureDefinition/fr-core-address-insee-code`, valueCoding: { system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM', code: p.birthPlaceCog } }] } }]
        : []),
    ],
    identifier,
    name: [
      {
        use: 'official',
        family: p.birthName,
        given: [p.firstGivenName],
        extension: [{ url: `${FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name`, valueString: p.birthGivenNames }],
      },
      ...(p.usedName || p.usedGivenName ? [{ use: 'usual', ...(p.usedName ? { family: p.usedName } : {}), ...(p.usedGivenName ? { given: [p.usedGivenName] } : {}) }] : []),
    ],
    gender: p.sex === 'M' ? 'male' : p.sex === 'F' ? 'female' : 'unknown',
    ...(birthDate ? { birthDate } : {}),
  };
};

const practitionerResource = (id: string, p: Practitioner): Json => ({
  resourceType: 'Practitioner',
  id,
  identifier: [
    ...(p.rpps ? [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: `8${p.rpps}` }] : []),
    ...p.identifiers.map((i) => ({ system: systemUri(i.system), value: i.value })),
  ],
  name: [{ ...(p.family ? { family: p.family } : {}), ...(p.given ? { given: [p.given] } : {}), ...(p.prefix ? { prefix: [p.prefix] } : {}) }],
});

const specimenResource = (id: string, s: Specimen, r: LabReport): Json => ({
  resourceType: 'Specimen',
  id,
  ...(s.id ? { identifier: [{ value: s.id }] } : {}),
  ...(s.type ? { type: { coding: [coding(s.type)] } } : {}),
  subject: { reference: 'Patient/patient' },
  ...(fhirDateTime(s.receivedAt ?? r.receivedAt) ? { receivedTime: fhirDateTime(s.receivedAt ?? r.receivedAt) } : {}),
  ...(fhirDateTime(s.collectedAt ?? r.collectedAt) ? { collection: { collectedDateTime: fhirDateTime(s.collectedAt ?? r.collectedAt) } } : {}),
});

/** Renders the report; returns the Bundle and what could not be rendered as issues. */
export const renderFhirReport = (r: LabReport, o: FhirRenderOptions): { bundle: Json; issues: Issue[] } => {
  const issues: Issue[] = [];
  const resources: Json[] = [patientResource(r, issues)];
  resources.push({
    resourceType: 'Organization',
    id: 'lab',
    identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: `1${o.finess}` }],
    name: o.labName,
  });
  const practitioners = new Map<string, string>();
  const practitionerRef = (p: Practitioner | undefined): Json | undefined => {
    if (!p) {
      return undefined;
    }
    const key = p.rpps ?? `${p.family ?? ''}|${p.given ?? ''}`;
    let id = practitioners.get(key);
    if (!id) {
      id = `practitioner-${practitioners.size + 1}`;
      practitioners.set(key, id);
      resources.push(practitionerResource(id, p));
    }
    return { reference: `Practitioner/${id}` };
  };
  const biologist = practitionerRef(r.responsibleBiologist);
  const prescriber = practitionerRef(r.prescriber);
  let obsCount = 0;
  const specimens: Json[] = [];
  const observation = (x: Observation, specimen: Json | undefined, extra: Json = {}): Json => {
    const id = `obs-${++obsCount}`;
    const time = fhirDateTime(x.effectiveTime);
    resources.push({
      resourceType: 'Observation',
      id,
      status: STATUS[x.status],
      category: LAB_CATEGORY,
      code: { coding: [coding(x.code), ...(x.localCode ? [coding(x.localCode)] : [])], text: x.localCode?.display ?? x.code.display ?? x.code.code },
      subject: { reference: 'Patient/patient' },
      ...(time ? { effectiveDateTime: time } : {}),
      performer: [{ reference: 'Organization/lab' }],
      ...(x.status === 'cancelled' ? { dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed' }] } } : valueOf(x.value)),
      ...(x.interpretations.length > 0 ? { interpretation: x.interpretations.map((c) => ({ coding: [{ system: SYSTEMS['2.16.840.1.113883.5.83'], code: c }] })) } : {}),
      ...(x.comments.length > 0 ? { note: x.comments.map((text) => ({ text })) } : {}),
      ...(x.method ? { method: { text: x.method } } : {}),
      ...(specimen ? { specimen } : {}),
      ...(x.referenceRange ? { referenceRange: range(x.referenceRange) } : {}),
      ...extra,
    });
    return { reference: `Observation/${id}` };
  };
  const results: Json[] = [];
  r.batteries.forEach((b, bi) => {
    let specimen: Json | undefined;
    if (b.specimen) {
      const id = `specimen-${bi + 1}`;
      resources.push(specimenResource(id, b.specimen, r));
      specimen = { reference: `Specimen/${id}` };
      specimens.push(specimen);
    }
    const members = b.observations.map((x) => observation(x, specimen));
    const isolates = b.isolates.map((iso) =>
      observation(
        { code: b.code, interpretations: [], status: b.status, comments: [], previous: [], sourcePath: b.sourcePath, value: { type: 'coded', code: iso.organism } },
        specimen,
        { hasMember: iso.observations.map((x) => observation(x, specimen)) },
      ),
    );
    if (members.length === 1 && isolates.length === 0 && b.observations[0]?.code.code === b.code.code) {
      results.push(members[0]!);
    } else {
      const id = `obs-${++obsCount}`;
      resources.push({
        resourceType: 'Observation',
        id,
        status: b.status === 'cancelled' ? 'cancelled' : b.status === 'preliminary' ? 'preliminary' : 'final',
        category: LAB_CATEGORY,
        code: { coding: [coding(b.code)], text: b.code.display ?? b.code.code },
        subject: { reference: 'Patient/patient' },
        hasMember: [...members, ...isolates],
      });
      results.push({ reference: `Observation/${id}` });
    }
  });
  const reportTime = fhirDateTime(r.reportedAt);
  const effective = fhirDateTime(r.collectedAt);
  resources.push({
    resourceType: 'DiagnosticReport',
    id: 'report',
    identifier: [{ system: `urn:oid:${o.labOid}.3`, value: r.accessionNumber }],
    status: REPORT_STATUS[r.status],
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '11502-2', display: "CR d'examens biologiques" }] },
    subject: { reference: 'Patient/patient' },
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(reportTime && reportTime.includes('T') ? { issued: reportTime } : {}),
    performer: [{ reference: 'Organization/lab' }],
    ...(biologist ? { resultsInterpreter: [biologist] } : {}),
    ...(specimens.length > 0 ? { specimen: specimens } : {}),
    result: results,
    ...(r.comments.length > 0 ? { conclusion: r.comments.join('\n') } : {}),
    ...(r.pdf ? { presentedForm: [{ contentType: 'application/pdf', data: r.pdf.base64 }] } : {}),
  });
  if (prescriber) {
    resources.push({ resourceType: 'ServiceRequest', id: 'order', status: 'completed', intent: 'order', ...(r.placerOrderNumber ? { identifier: [{ system: `urn:oid:${o.labOid}.2`, value: r.placerOrderNumber }] } : {}), subject: { reference: 'Patient/patient' }, requester: prescriber, ...(fhirDateTime(r.orderedAt) ? { authoredOn: fhirDateTime(r.orderedAt) } : {}) });
    const dr = resources.at(-2)!;
    dr['basedOn'] = [{ reference: 'ServiceRequest/order' }];
  }
  return {
    bundle: { resourceType: 'Bundle', id: o.bundleId, type: 'collection', timestamp: fhirDateTime(o.at) ?? o.at, entry: resources.map((resource) => ({ resource })) },
    issues,
  };
};
