/**
 * Intake use case (issue 3): a SIL's message (HL7 v2 ORU^R01 or FHIR R4 Bundle) → validated LabReport → the raw
 * bytes, the report and a new transmission (state `received`) stored in ONE transaction → acknowledged.
 *
 * Idempotent: the same sender + message id returns the transmission stored the first time (duplicate: true),
 * never a second one. A refused message stores nothing (only a `report.rejected` audit record, without patient data).
 */
import { GatewayError, isGatewayError } from '../core/errors/index.js';
import type { LabReport } from '../core/report/model.js';
import type { Issue } from '../core/validation/issue.js';
import type { Ids } from './ports.js';
import type { TransmissionStore } from '../adapters/storage/transmissions.js';

export type IntakeFormat = 'hl7v2' | 'fhir';

export interface ParsedInput {
  readonly report: LabReport;
  /** Warnings the report was accepted with. */
  readonly issues: readonly Issue[];
}

/** Parsers by format (adapters/hl7v2, adapters/fhir-input); they throw GatewayError on refusal. */
export type IntakeParsers = Readonly<Record<IntakeFormat, (raw: Buffer) => ParsedInput>>;

/** The storage the use case needs (adapters/storage TransmissionStore.receive). */
/** The one storage call intake needs: raw bytes, report and transmission in one transaction, idempotent. */
export type IntakeStore = Pick<TransmissionStore, 'receive'>;

export interface IntakeDeps {
  readonly store: IntakeStore;
  readonly parsers: IntakeParsers;
  readonly ids: Ids;
  /** Keyed hash standing for the INS in storage. */
  readonly subjectHash: (ins: string) => string;
  /** Records a refusal (no patient data); optional. */
  readonly auditRejection?: (e: { actor: string; code: string; details: Readonly<Record<string, unknown>> }) => Promise<void>;
}

export interface IntakeRequest {
  readonly raw: Buffer;
  readonly format: IntakeFormat;
  /** The media type as received, kept with the raw bytes. */
  readonly contentType: string;
  /** `mllp` or `http`, for the audit trail. */
  readonly channel: 'mllp' | 'http';
  /** Who sent it (token id, peer), for the audit trail. */
  readonly actor?: string;
}

export interface IntakeResult {
  readonly duplicate: boolean;
  readonly transmissionId: string;
  readonly status: string;
  readonly sender: string;
  readonly messageId: string;
  readonly issues: readonly Issue[];
}

/** A storage failure is STORAGE_UNAVAILABLE (503, retryable): the SIL must resend; nothing was acknowledged. */
const storeOrFail = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    throw isGatewayError(e) ? e : new GatewayError('STORAGE_UNAVAILABLE', 'The report could not be stored; it was not accepted. Send it again later.', { cause: e });
  }
};

export const createIntake = (deps: IntakeDeps) => ({
  async receive(req: IntakeRequest): Promise<IntakeResult> {
    let parsed: ParsedInput;
    try {
      parsed = deps.parsers[req.format](req.raw);
    } catch (e) {
      const err = isGatewayError(e) ? e : new GatewayError('INTERNAL', 'The message could not be read.', { cause: e });
      if (deps.auditRejection && err.status < 500) {
        await deps.auditRejection({
          actor: req.actor ?? `sil:${req.channel}`,
          code: err.code,
          details: { channel: req.channel, format: req.format, code: err.code, issues: err.issues.slice(0, 20).map((i) => ({ code: i.code, path: i.path })) },
        });
      }
      throw err;
    }
    const { report, issues } = parsed;
    const insHash = report.patient.ins ? deps.subjectHash(report.patient.ins.value) : null;
    const stored = await storeOrFail(() => deps.store.receive(
      { id: deps.ids.uuid(), sender: report.sender, messageId: report.messageId, contentType: req.contentType, raw: req.raw },
      [{ id: deps.ids.uuid(), reportIndex: 0, accession: report.accessionNumber, insHash, reportJson: JSON.stringify(report), issues }],
      {
        actor: req.actor ?? `sil:${report.sender}`,
        ...(insHash !== null ? { subjectHash: insHash } : {}),
        details: { channel: req.channel, format: req.format, messageId: report.messageId, status: report.status, warnings: issues.length },
      },
    ));
    const first = stored.transmissions[0];
    if (first === undefined) {
      throw new GatewayError('INTERNAL', 'The message was stored without a transmission.');
    }
    return { duplicate: stored.duplicate, transmissionId: first.id, status: first.status, sender: report.sender, messageId: report.messageId, issues };
  },
});

export type Intake = ReturnType<typeof createIntake>;
