/**
 * The ports between use cases (src/app) and adapters. Use-case tests pass in-memory fakes; main.ts wires
 * the real adapters. Times and ids come from Clock and Ids so that the same input gives the same bytes.
 */
import type { LabReport } from '../core/report/model.js';
import type { Issue } from '../core/validation/issue.js';
import type { CdaHeader } from '../core/xds/cda-header.js';

export interface Clock {
  /** The current instant. */
  now(): Date;
}

export interface Ids {
  /** A random UUID v4 (lower case). */
  uuid(): string;
}

export { TRANSMISSION_STATES, type TransmissionState } from '../core/policy/states.js';

/** What the identity gate decided for one report (issue 4); defined in the pure core (src/core/ins/decision.ts). */
export type { IdentityDecision } from '../core/ins/decision.js';

/** Version context and result of a document build: defined with the pure builder (src/core/cda, issue 5). */
export type { BuiltDocument, DocumentVersion } from '../core/cda/index.js';
import type { BuiltDocument, DocumentVersion } from '../core/cda/index.js';

/** Builds a CR-BIO CDA from a report (issue 5). Pure. */
export type BuildDocument = (report: LabReport, version: DocumentVersion) => BuiltDocument;

/** The conformance gate (issue 5): XSD and rules; an `error` issue quarantines the document. */
export interface DocumentValidator {
  validate(xml: string): Promise<readonly Issue[]>;
}

/** What is handed to the DMP route for one document (issue 6). */
export interface DeliveryRequest {
  readonly transmissionId: string;
  readonly documentXml: string;
  /** XDSDocumentEntry.uniqueId (the CDA id). */
  readonly documentUniqueId: string;
  readonly setId: string;
  readonly versionNumber: number;
  /** uniqueId of the document this version replaces (RPLC), if any. */
  readonly replacesUniqueId?: string;
  readonly report: LabReport;
  /**
   * The CDA header of `documentXml`, read when the document was built (stored with it): the route uses it for the
   * metadata instead of parsing the document again. Absent (documents stored before it was kept): the route reads it.
   */
  readonly header?: CdaHeader;
}

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly entryUuid?: string; readonly answer: string; readonly certificateFingerprint?: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly retryable: boolean; readonly message: string; readonly answer?: string }
  /** No answer (timeout, connection lost after sending): reconcile before any resend. */
  | { readonly kind: 'uncertain'; readonly code: string; readonly message: string };

export interface RegistryLookup {
  readonly found: boolean;
  readonly entryUuid?: string;
  readonly status?: 'approved' | 'deprecated';
}

/** A DMP route: XDS.b ITI-41 or MHD ITI-65 (issue 6). */
export interface DmpRoute {
  submit(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** ITI-18 Registry Stored Query by uniqueId, to reconcile an uncertain send and find RPLC targets. */
  findByUniqueId(uniqueId: string, ins: string): Promise<RegistryLookup>;
}
