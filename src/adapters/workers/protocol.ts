/** Messages between the main thread and a document worker (structured clone: plain data only). */
import type { LabReport } from '../../core/report/model.js';
import type { BuiltDocument, CdaSettings, DocumentVersion } from '../../core/cda/index.js';
import type { Issue } from '../../core/validation/issue.js';
import type { CdaHeader } from '../../core/xds/cda-header.js';

export interface DocumentWorkerData {
  readonly entry: string;
  readonly cdaSettings: CdaSettings;
  /** The conformance gate's options (ANS kit folder, schematron on/off); without a kit only our own rules run. */
  readonly gate: { readonly ansKit?: string; readonly schematron?: boolean };
}

export type DocumentJob =
  | { readonly id: number; readonly kind: 'build'; readonly report: LabReport; readonly version: DocumentVersion }
  | { readonly id: number; readonly kind: 'validate'; readonly xml: string }
  /** Build, then the gate on what was built: one round trip. */
  | { readonly id: number; readonly kind: 'buildChecked'; readonly report: LabReport; readonly version: DocumentVersion };

export type DocumentJobResult =
  /** `header`: for buildChecked, the CDA header read from the gate's parse of the built document. */
  | { readonly id: number; readonly ok: true; readonly built?: BuiltDocument; readonly issues?: readonly Issue[]; readonly header?: CdaHeader }
  | { readonly id: number; readonly ok: false; readonly message: string };
