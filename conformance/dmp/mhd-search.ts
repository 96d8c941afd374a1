/**
 * The simulator's MHD ITI-67 Find Document References: `GET [base]/DocumentReference?patient.identifier=…&status=…`,
 * as a gateway uses it to reconcile a send left without answer (did the DMP register this uniqueId?). MHD 4.2
 * ITI-67 §2:3.67.4.1.2: the Document Consumer shall give `patient` or `patient.identifier`, and `status` (short codes,
 * no system); here the patient must be an INS (the DMP has no FHIR Patient ids for a lab). Parameters the responder
 * does not support are ignored, as the transaction says. Answers a `searchset` Bundle, 200 even when empty
 * (§2:3.67.4.2.2).
 */
import type { SimDocument, SimStore } from './store.js';

type Json = Record<string, unknown>;

/** The INS authorities (standards.md §1): NIR, NIA, and the test NIR and NIA. */
const INS_OIDS = new Set(['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11']);
const RFC3986 = 'urn:ietf:rfc:3986';

const outcome = (code: string, diagnostics: string, expression: string): Json => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics, expression: [expression] }],
});

/** `system|value` (a token search parameter); the system may be left out. */
const token = (raw: string): { system?: string; value: string } => {
  const bar = raw.indexOf('|');
  return bar < 0 ? { value: raw } : { system: raw.slice(0, bar), value: raw.slice(bar + 1) };
};

const FHIR_STATUS = { approved: 'current', deprecated: 'superseded' } as const;

const documentReference = (d: SimDocument, oid: string): Json => ({
  resourceType: 'DocumentReference',
  id: d.entryUuid.replace(/^urn:uuid:/, ''),
  masterIdentifier: { system: RFC3986, value: `urn:oid:${d.uniqueId}` },
  identifier: [{ use: 'official', system: RFC3986, value: d.entryUuid }],
  status: FHIR_STATUS[d.status],
  subject: { identifier: { system: `urn:oid:${oid}`, value: d.patientIns } },
  ...(d.replaces ? { relatesTo: [{ code: 'replaces', target: { identifier: { system: RFC3986, value: `urn:oid:${d.replaces}` } } }] } : {}),
  content: [{ attachment: { contentType: 'text/xml', size: d.size, hash: Buffer.from(d.hash, 'hex').toString('base64'), title: d.title } }],
});

export interface SearchAnswer {
  readonly status: number;
  readonly body: Json;
}

/** ITI-67 on the simulator's registry; `base` is the FHIR base URL, for the entries' fullUrl. */
export const findDocumentReferences = (query: URLSearchParams, store: SimStore, base: string): SearchAnswer => {
  const patients = query.getAll('patient.identifier');
  if (patients.length !== 1) {
    return { status: 400, body: outcome('required', 'ITI-67: exactly one patient.identifier is required', 'patient.identifier') };
  }
  const patient = token(patients[0] ?? '');
  const oid = patient.system?.replace(/^urn:oid:/, '');
  if (!oid || !patient.system?.startsWith('urn:oid:') || !INS_OIDS.has(oid) || !/^[0-9AB]{15}$/.test(patient.value)) {
    return { status: 400, body: outcome('value', 'patient.identifier must be an INS: urn:oid:<INS authority>|<15 characters>', 'patient.identifier') };
  }
  // identifier: the uniqueId (masterIdentifier, urn:oid:…) or the entryUUID (urn:uuid:…), with system RFC 3986 or none.
  const identifiers = query.getAll('identifier').flatMap((v) => v.split(',')).map(token);
  if (identifiers.some((i) => i.system !== undefined && i.system !== RFC3986)) {
    return { status: 400, body: outcome('value', `identifier system must be ${RFC3986}`, 'identifier') };
  }
  const statuses = query.getAll('status').flatMap((v) => v.split(','));
  if (statuses.length === 0) {
    return { status: 400, body: outcome('required', 'ITI-67: status is required (current, superseded)', 'status') };
  }
  if (statuses.some((s) => s !== 'current' && s !== 'superseded')) {
    return { status: 400, body: outcome('value', 'status must be current or superseded, without a system', 'status') };
  }
  const cx = `${patient.value}^^^&${oid}&ISO`;
  const matches = store.all().filter((d) =>
    d.patientId.startsWith(cx) &&
    (identifiers.length === 0 || identifiers.some((i) => i.value === `urn:oid:${d.uniqueId}` || i.value === d.entryUuid)) &&
    statuses.includes(FHIR_STATUS[d.status]),
  );
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      entry: matches.map((d) => ({ fullUrl: `${base}/DocumentReference/${d.entryUuid.replace(/^urn:uuid:/, '')}`, resource: documentReference(d, oid), search: { mode: 'match' } })),
    },
  };
};
