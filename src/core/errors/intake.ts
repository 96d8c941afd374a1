import { defineErrors } from './catalogue.js';

/**
 * Intake errors (issue 3): HL7 v2 ORU^R01, FHIR R4 Bundle, the SIL's own CDA. The code of a refusal is the code of
 * its first error issue; every issue names the segment/field (`PID[1].3[2].4.2`) or JSON path (`$.entry[2]…`).
 */
export const intakeErrors = defineErrors({
  HL7_EMPTY: { status: 400, retryable: false, message: 'The HL7 v2 message is empty.' },
  HL7_NO_MSH: { status: 400, retryable: false, message: 'The message does not start with an MSH segment: it is not HL7 v2.' },
  HL7_DELIMITERS_INVALID: { status: 400, retryable: false, message: 'MSH-1/MSH-2 do not define usable delimiters.' },
  HL7_SEGMENT_NAME_INVALID: { status: 400, retryable: false, message: 'A segment does not start with a valid 3-character segment id.' },
  HL7_BINARY_CONTENT: { status: 400, retryable: false, message: 'The message contains binary data, not HL7 v2 text.' },
  HL7_ENCODING_UNSUPPORTED: { status: 400, retryable: false, message: 'The character set in MSH-18 is not supported (UNICODE UTF-8 or 8859/1).' },
  HL7_ENCODING_INVALID: { status: 400, retryable: false, message: 'The bytes are not valid in the character set MSH-18 declares.' },
  HL7_BATCH_NOT_ALLOWED: { status: 400, retryable: false, message: 'Several messages were sent where one is expected.' },
  HL7_BATCH_COUNT_MISMATCH: { status: 400, retryable: false, message: 'The batch trailer announces a different number of messages.' },
  HL7_MALFORMED: { status: 400, retryable: false, message: 'The HL7 v2 message cannot be read.' },
  HL7_MESSAGE_TYPE_UNSUPPORTED: { status: 422, retryable: false, message: 'MSH-9 is not an accepted message type (ORU^R01, or MDM carrying a CDA).' },
  HL7_VERSION_UNSUPPORTED: { status: 422, retryable: false, message: 'MSH-12 is not a supported HL7 v2 version.' },
  HL7_REQUIRED_FIELD_MISSING: { status: 422, retryable: false, message: 'A required field is empty; the issue path names it.' },
  HL7_SEGMENT_MISSING: { status: 422, retryable: false, message: 'A required segment (PID, OBR) is missing.' },
  HL7_SEGMENT_REPEATED: { status: 422, retryable: false, message: 'A segment that may appear once appears several times.' },
  HL7_SEGMENT_ORDER: { status: 422, retryable: false, message: 'A segment is out of the ORU^R01 order (OBX or SPM before OBR, PID after OBR).' },
  HL7_REPETITION_CONFLICT: { status: 422, retryable: false, message: 'Two repetitions of a field contradict each other.' },
  HL7_DATE_INVALID: { status: 422, retryable: false, message: 'A date or time is malformed or does not exist.' },
  HL7_CODE_UNKNOWN: { status: 422, retryable: false, message: 'A coded field holds a value outside its HL7 table.' },
  HL7_VALUE_INVALID: { status: 422, retryable: false, message: 'A field value does not fit its data type.' },
  HL7_VALUE_TYPE_UNSUPPORTED: { status: 422, retryable: false, message: 'OBX-2 value type is not supported.' },
  HL7_CDA_ACTION_CONFLICT: { status: 422, retryable: false, message: 'ORC-1, OBX-11 and the MDM event disagree on the action on the document (initial, replacement, deletion).' },
  REPORT_INS_INVALID: { status: 422, retryable: false, message: 'The INS is not 15 characters (13-character NIR/NIA + 2-digit key).' },
  REPORT_INS_KEY_MISMATCH: { status: 422, retryable: false, message: 'The INS key does not match its first 13 characters.' },
  REPORT_INS_OID_UNKNOWN: { status: 422, retryable: false, message: 'The INS assigning authority is not an INS OID (1.2.250.1.213.1.4.8/.9/.10/.11).' },
  REPORT_INS_CONFLICT: { status: 422, retryable: false, message: 'Two different INS are given for one patient.' },
  REPORT_IDENTITY_STATUS_INVALID: { status: 422, retryable: false, message: 'The identity status / attributes are unknown or contradictory.' },
  REPORT_EMBEDDED_CDA_INVALID: { status: 422, retryable: false, message: 'The embedded document is not a CDA R2 ClinicalDocument.' },
  REPORT_EMBEDDED_CDA_MISMATCH: { status: 422, retryable: false, message: 'The embedded CDA names another patient than the message.' },
  MLLP_PEER_UNREACHABLE: { status: 503, retryable: true, message: 'The SIL could not be reached over MLLP (or did not answer) to send it an acknowledgement.' },
  FHIR_NOT_JSON: { status: 400, retryable: false, message: 'The body is not JSON.' },
  FHIR_NOT_BUNDLE: { status: 422, retryable: false, message: 'The JSON is not a FHIR R4 Bundle.' },
  FHIR_RESOURCE_MISSING: { status: 422, retryable: false, message: 'A resource the report needs (DiagnosticReport, Patient) is missing from the Bundle.' },
  FHIR_REFERENCE_UNRESOLVED: { status: 422, retryable: false, message: 'A reference does not resolve to a resource in the Bundle.' },
  FHIR_REQUIRED_ELEMENT_MISSING: { status: 422, retryable: false, message: 'A required element is missing; the issue path names it.' },
  FHIR_VALUE_INVALID: { status: 422, retryable: false, message: 'An element value is malformed or outside its value set.' },
});
