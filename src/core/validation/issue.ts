/**
 * One finding about an input or a document. Validators collect every issue and return the list;
 * the caller decides what to reject (STYLE.md habit 5).
 *
 * `path` names the place in the format the finding is about: `PID[1].3[2].4` for HL7 v2
 * (segment[occurrence].field[repetition].component), a JSON path such as `$.entry[2].resource.code`
 * for FHIR, an XPath such as `/ClinicalDocument/recordTarget/patientRole/id[1]` for CDA,
 * or a configuration key such as `dmp.endpoint`.
 */
export type Severity = 'error' | 'warning' | 'information';

export interface Issue {
  readonly severity: Severity;
  /** A stable code from the error catalogue, or a finer rule code (e.g. `NIR_KEY_MISMATCH`). */
  readonly code: string;
  readonly path: string;
  /** Plain words, for a lab's IT team or an identity-vigilance nurse. Never carries patient data. */
  readonly message: string;
}

export const issue = (severity: Severity, code: string, path: string, message: string): Issue => ({
  severity,
  code,
  path,
  message,
});

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');
