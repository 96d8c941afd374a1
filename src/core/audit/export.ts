/**
 * Audit records out: CSV (RFC 4180), JSON lines, and FHIR R4 AuditEvent in the style of IHE Basic Audit Log
 * Patterns (BALP, https://profiles.ihe.net/ITI/BALP/): an action code, the DICOM/BALP event type, the agent
 * that acted, the gateway as observer, and entities for the patient (by keyed hash only), the transmission and
 * the document (XDSDocumentEntry.uniqueId). Pure.
 */
import type { AuditRecord } from './chain.js';

export const CSV_COLUMNS = ['seq', 'id', 'at', 'type', 'actor', 'outcome', 'transmissionId', 'subjectHash', 'documentUniqueId', 'details', 'prevHash', 'hash'] as const;

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;
export const csvRow = (r: AuditRecord): string => `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;
export const jsonLine = (r: AuditRecord): string => `${JSON.stringify({ ...r, details: safeJson(r.details) })}\n`;

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/** FHIR AuditEvent.action: C create, R read, U update, D delete, E execute. */
const ACTION: Readonly<Record<string, 'C' | 'R' | 'U' | 'D' | 'E'>> = {
  'report.received': 'C',
  'report.rejected': 'E',
  'identity.decision': 'E',
  'identity.hold.released': 'U',
  'identity.hold.rejected': 'U',
  'insi.query': 'E',
  'document.built': 'C',
  'document.quarantined': 'U',
  'delivery.attempt': 'E',
  'delivery.outcome': 'E',
  'delivery.reconciled': 'E',
  'transmission.state': 'U',
  'transmission.replay': 'E',
  'user.read': 'R',
  'user.action': 'E',
  'auth.denied': 'E',
  'config.loaded': 'E',
  'certificate.loaded': 'E',
  'audit.checkpoint': 'E',
  'retention.purge': 'D',
  'receipt.queued': 'C',
  'receipt.attempt': 'E',
  'receipt.failed': 'E',
};

/** AuditEvent.type: the BALP RESTful interaction codes for reads and writes, DICOM event ids otherwise. */
const typeOf = (r: AuditRecord): { system: string; code: string; display: string } => {
  if (r.type === 'user.read') {
    return { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' };
  }
  if (r.type === 'auth.denied') {
    return { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' };
  }
  if (r.type === 'delivery.attempt' || r.type === 'delivery.outcome' || r.type === 'delivery.reconciled' || r.type === 'receipt.attempt') {
    return { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' };
  }
  if (r.type === 'report.received') {
    return { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110107', display: 'Import' };
  }
  if (r.type.startsWith('config.') || r.type.startsWith('certificate.') || r.type.startsWith('audit.')) {
    return { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100', display: 'Application Activity' };
  }
  return { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' };
};

const OUTCOME: Readonly<Record<string, string>> = { success: '0', info: '0', failure: '4' };

export interface FhirExportContext {
  /** The gateway as AuditEvent.source.observer (e.g. the lab's name). */
  readonly observer: string;
  /** Laboratory root OID, when configured (source.site). */
  readonly siteOid?: string;
}

/** One audit record as a FHIR R4 AuditEvent (BALP style). The patient appears only as a keyed hash. */
export const toFhirAuditEvent = (r: AuditRecord, ctx: FhirExportContext): Record<string, unknown> => {
  const action = ACTION[r.type] ?? 'E';
  const entity: Record<string, unknown>[] = [];
  if (r.subjectHash) {
    entity.push({
      what: { identifier: { system: 'urn:dmp-gateway:ins-keyed-hash', value: r.subjectHash } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  if (r.transmissionId) {
    entity.push({
      what: { identifier: { system: 'urn:dmp-gateway:transmission', value: r.transmissionId } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '20', display: 'Job' },
    });
  }
  if (r.documentUniqueId) {
    entity.push({
      what: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${r.documentUniqueId.replace(/\^.*/, '')}` } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' },
    });
  }
  entity.push({
    what: { identifier: { system: 'urn:dmp-gateway:audit-record', value: r.id } },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '4', display: 'Other' },
    detail: [
      { type: 'gateway.eventType', valueString: r.type },
      { type: 'gateway.details', valueString: r.details },
      { type: 'gateway.chain', valueString: `seq=${r.seq} prevHash=${r.prevHash} hash=${r.hash}` },
    ],
  });
  const [kind, who] = r.actor.includes(':') ? [r.actor.slice(0, r.actor.indexOf(':')), r.actor.slice(r.actor.indexOf(':') + 1)] : ['system', r.actor];
  const isPatientEvent = Boolean(r.subjectHash);
  const profile =
    action === 'R' ? (isPatientEvent ? 'IHE.BasicAudit.PatientRead' : 'IHE.BasicAudit.Read') : action === 'C' ? (isPatientEvent ? 'IHE.BasicAudit.PatientCreate' : 'IHE.BasicAudit.Create') : action === 'U' ? (isPatientEvent ? 'IHE.BasicAudit.PatientUpdate' : 'IHE.BasicAudit.Update') : undefined;
  return {
    resourceType: 'AuditEvent',
    id: r.id,
    ...(profile ? { meta: { profile: [`https://profiles.ihe.net/ITI/BALP/StructureDefinition/${profile}`] } } : {}),
    type: typeOf(r),
    subtype: [{ system: 'urn:dmp-gateway:audit-event-type', code: r.type }],
    action,
    recorded: r.at,
    outcome: OUTCOME[r.outcome] ?? '0',
    ...(r.outcome === 'failure' ? { outcomeDesc: r.type } : {}),
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: kind === 'user' || kind === 'sil' ? 'IRCP' : 'CST', display: kind === 'user' || kind === 'sil' ? 'information recipient' : 'custodian' }] },
        who: { identifier: { system: `urn:dmp-gateway:${kind}`, value: who } },
        requestor: kind === 'user' || kind === 'sil' || kind === 'anonymous',
      },
    ],
    source: {
      ...(ctx.siteOid ? { site: `urn:oid:${ctx.siteOid}` } : {}),
      observer: { display: ctx.observer },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity,
  };
};
