/**
 * Central redaction of patient data in logs. Two nets:
 * 1. keys: any property whose name says it carries patient data, a document body or a secret is replaced,
 *    at any depth;
 * 2. values: any string (including the message) has NIR/NIA-shaped numbers and dates masked, in case a
 *    caller put them in free text.
 */
const SENSITIVE_KEYS = new Set(
  [
    'ins', 'nir', 'nia', 'matricule', 'insValue', 'patientId', 'sourcePatientId',
    'name', 'names', 'family', 'given', 'birthName', 'birthGivenNames', 'firstGivenName', 'usedName', 'usedGivenName',
    'prenom', 'nom', 'nomNaissance', 'prenoms', 'traits',
    'birthDate', 'birthTime', 'dateNaissance', 'birthPlace', 'birthPlaceCog', 'address', 'addr', 'telecom', 'phone', 'email',
    'patient', 'body', 'rawBody', 'raw', 'payload', 'hl7', 'er7', 'cda', 'document', 'pdf', 'base64', 'xml', 'soap',
    'authorization', 'cookie', 'token', 'tokens', 'apiKey', 'password', 'passphrase', 'secret', 'privateKey', 'key',
  ].map((k) => k.toLowerCase()),
);

/** 13 or 15 characters: sex digit, year, month, département (2A/2B allowed), commune, order, optional key. */
const NIR_LIKE = /\b[1-478]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b/gi;
const DATE_LIKE = /\b(?:19|20)\d{2}-?(?:0\d|1[0-2])-?(?:[0-2]\d|3[01])\b/g;
const HL7_DATE = /\b(?:19|20)\d{2}(?:0\d|1[0-2])(?:[0-2]\d|3[01])(?:\d{2,6})?\b/g;

export const REDACTED = '[redacted]';

export const scrubString = (s: string): string =>
  s.replace(NIR_LIKE, REDACTED).replace(DATE_LIKE, REDACTED).replace(HL7_DATE, REDACTED);

/** Keys that are safe to log even though they contain a sensitive word (ids, codes, counts). */
const SAFE_KEYS = new Set(['msg', 'level', 'time', 'reqid', 'requestid', 'err', 'code', 'status', 'method', 'url', 'route', 'statuscode', 'responsetime', 'transmissionid', 'pid', 'hostname']);

export const redactValue = (value: unknown, depth = 0): unknown => {
  if (depth > 12) {
    return REDACTED;
  }
  if (typeof value === 'string') {
    return scrubString(value);
  }
  if (Array.isArray(value)) {
    return value.map((v) => redactValue(v, depth + 1));
  }
  if (value instanceof Error) {
    return { type: value.name, message: scrubString(value.message), code: (value as { code?: unknown }).code, stack: value.stack === undefined ? undefined : scrubString(value.stack) };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const lk = k.toLowerCase();
      out[k] = SENSITIVE_KEYS.has(lk) && !SAFE_KEYS.has(lk) ? REDACTED : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
};
