/**
 * Processing a received report: opposition, identity gate, document build (with its version in the
 * report's chain), conformance gate. Ends in `opposed`, `identity_hold`, `quarantined` or `ready`, each
 * stored with its audit record (and, for `ready`, the document) in one transaction.
 */
import type { LabReport } from '../../core/report/model.js';
import type { Issue } from '../../core/validation/issue.js';
import type { CdaHeader } from '../../core/xds/cda-header.js';
import { hasErrors } from '../../core/validation/issue.js';
import { uuidToOid } from '../../core/report/ids.js';
import type { BuiltDocument, Clock, DocumentValidator, DocumentVersion, IdentityDecision, Ids } from '../ports.js';
import type { Db, Executor } from '../../adapters/storage/db.js';
import { appendAudit } from '../../adapters/storage/audit-store.js';
import type { OutboxStore } from '../../adapters/storage/outbox.js';
import type { Transmission, TransmissionStore } from '../../adapters/storage/transmissions.js';

export interface ProcessDeps {
  readonly db: Db;
  readonly transmissions: TransmissionStore;
  readonly outbox: OutboxStore;
  readonly clock: Clock;
  readonly ids: Ids;
  /** The identity gate (src/core/ins), with the configured accepted OIDs bound and the INS traits on record. */
  readonly identityGate: (report: LabReport) => IdentityDecision | Promise<IdentityDecision>;
  /** Builds the CR-BIO CDA (and its PDF copy) for one version. */
  readonly build: (report: LabReport, version: DocumentVersion) => Promise<BuiltDocument>;
  readonly validator: DocumentValidator;
  /**
   * Build and conformance gate in one step (the document worker thread: one round trip instead of two). When set,
   * it is used in place of `build` then `validator`, with the same results, and may give the CDA header read from
   * the gate's parse: it is stored with the document, so that delivery does not parse the document again.
   */
  readonly buildChecked?: (report: LabReport, version: DocumentVersion) => Promise<BuiltAndChecked>;
  /** Offset used for CDA times (e.g. +01:00); times are taken from the clock. */
  readonly formatTime: (d: Date) => string;
}

/** A document built and gated in one step, with its CDA header when the gate read it. */
export interface BuiltAndChecked {
  readonly built: BuiltDocument;
  readonly issues: readonly Issue[];
  readonly header?: CdaHeader;
}

export type ProcessOutcome = 'opposed' | 'identity_hold' | 'quarantined' | 'ready' | 'rejected';

const actor = 'system:pipeline';

export async function processReceived(deps: ProcessDeps, t: Transmission): Promise<ProcessOutcome> {
  const report = JSON.parse(t.reportJson ?? 'null') as LabReport | null;
  if (!report) {
    await deps.transmissions.transition(t.id, ['received'], 'rejected', { leaseOwner: null, leaseUntil: null, lastErrorCode: 'VALIDATION_FAILED', lastError: 'No report stored for this transmission.' }, { type: 'report.rejected', actor, outcome: 'failure' });
    return 'rejected';
  }
  const release = { leaseOwner: null, leaseUntil: null } as const;

  // The patient's opposition to DMP feeding, or a SIL that does not ask for it: nothing is sent.
  if (report.flags.patientOpposed || !report.flags.sendToDmp) {
    const why = report.flags.patientOpposed ? 'The patient opposed DMP feeding.' : 'The SIL did not ask for DMP feeding (DESTDMP).';
    await deps.transmissions.transition(t.id, ['received'], 'opposed', { ...release, lastError: why }, { type: 'transmission.state', actor, outcome: 'info', details: { reason: report.flags.patientOpposed ? 'patient_opposed' : 'not_requested' } });
    return 'opposed';
  }

  // The identity gate: only a qualified, consistent INS goes on.
  const decision = await deps.identityGate(report);
  // The decision is recorded in the same transaction as the state it leads to.
  const recordDecision = (tx: Executor): Promise<unknown> =>
    appendAudit(deps.db, tx, { type: 'identity.decision', actor, outcome: decision.outcome === 'pass' ? 'success' : 'failure', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), details: { outcome: decision.outcome, reasons: decision.reasons.map((r) => r.code) } }, deps.clock.now(), deps.ids.uuid());
  if (decision.outcome === 'hold') {
    await deps.db.transaction(async (tx) => {
      await recordDecision(tx);
      await deps.transmissions.transition(t.id, ['received'], 'identity_hold', { ...release, issues: decision.reasons }, { type: 'transmission.state', actor, outcome: 'failure', details: { reasons: decision.reasons.map((r) => r.code) } }, tx);
    });
    return 'identity_hold';
  }

  // The version: same setId as the report's previous document, versionNumber + 1, RPLC to it.
  const previous = await deps.outbox.latestVersion(report.accessionNumber);
  const now = deps.clock.now();
  const version: DocumentVersion = {
    documentId: uuidToOid(deps.ids.uuid()),
    setId: previous?.setId ?? uuidToOid(deps.ids.uuid()),
    versionNumber: (previous?.versionNumber ?? 0) + 1,
    ...(previous ? { replacesDocumentId: previous.uniqueId } : {}),
    effectiveTime: deps.formatTime(now),
  };
  let built: BuiltDocument;
  let issues: Issue[];
  let header: CdaHeader | undefined;
  try {
    if (deps.buildChecked) {
      const checked = await deps.buildChecked(report, version);
      built = checked.built;
      issues = [...built.issues, ...checked.issues];
      header = checked.header;
    } else {
      built = await deps.build(report, version);
      issues = [...built.issues, ...(await deps.validator.validate(built.xml))];
    }
  } catch (e) {
    issues = [{ severity: 'error', code: 'DOCUMENT_BUILD_ERROR', path: '/ClinicalDocument', message: `The document could not be built: ${(e as Error).message}` }];
    built = { xml: '', issues };
  }
  if (hasErrors(issues)) {
    await deps.db.transaction(async (tx) => {
      await recordDecision(tx);
      await deps.transmissions.transition(t.id, ['received'], 'quarantined', { ...release, issues, lastErrorCode: 'DOCUMENT_NONCONFORMANT', lastError: `${issues.filter((i) => i.severity === 'error').length} conformance error(s).` }, { type: 'document.quarantined', actor, outcome: 'failure', details: { errors: issues.filter((i) => i.severity === 'error').map((i) => i.code) } }, tx);
    });
    return 'quarantined';
  }
  await deps.db.transaction(async (tx) => {
    await recordDecision(tx);
    const doc = await deps.outbox.insertDocument(tx, { uniqueId: version.documentId, transmissionId: t.id, setId: version.setId, versionNumber: version.versionNumber, ...(previous ? { replacesUniqueId: previous.uniqueId } : {}), xml: built.xml, ...(header ? { header } : {}), at: now });
    await deps.transmissions.transition(
      t.id,
      ['received'],
      'ready',
      { ...release, issues, setId: version.setId, versionNumber: version.versionNumber, documentUniqueId: version.documentId },
      { type: 'document.built', actor, outcome: 'success', documentUniqueId: doc.uniqueId, details: { sha1: doc.sha1, size: doc.sizeBytes, versionNumber: version.versionNumber, replaces: previous?.uniqueId ?? null, warnings: issues.length } },
      tx,
    );
  });
  return 'ready';
}
