/**
 * HL7 v2.5 data types as XDS metadata writes them (IHE ITI TF-3 §4.2.3.1.7), with the DMP layouts of
 * standards.md §4.4 (PDSM4DMP ActorPS / ActorSystem / AuthorInstitution / PatientId).
 */
import { PS_IDNAT_OID, STRUCT_IDNAT_OID } from './constants.js';

/** Escapes the HL7 v2 delimiters ^ & ~ \ | in a component value. */
export const escapeHl7 = (s: string): string => s.replace(/\\/g, '\\E\\').replace(/\|/g, '\\F\\').replace(/\^/g, '\\S\\').replace(/&/g, '\\T\\').replace(/~/g, '\\R\\');

/** CX with an ISO assigning authority: `id^^^&OID&ISO^type` (patientId: type NH; local IPP: PI). */
export const cx = (id: string, oid: string, idType: string): string => `${escapeHl7(id)}^^^&${oid}&ISO^${idType}`;

export interface PersonName {
  readonly id: string;
  readonly family?: string;
  readonly given?: string;
  /** OID of the identifier (default PS_IdNat 1.2.250.1.71.4.2.1). */
  readonly idOid?: string;
}

/** XCN of a professional: `8RPPS^FAMILY^Given^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`. */
export const xcnProfessional = (p: PersonName): string =>
  `${escapeHl7(p.id)}^${escapeHl7(p.family ?? '')}^${escapeHl7(p.given ?? '')}^^^^^^&${p.idOid ?? PS_IDNAT_OID}&ISO^D^^^IDNPS`;

/** XCN of a system author: `3FINESS/id^system^model^^^^^^&1.2.250.1.71.4.2.1&ISO^U^^^RI`. */
export const xcnSystem = (id: string, systemName: string, model: string): string =>
  `${escapeHl7(id)}^${escapeHl7(systemName)}^${escapeHl7(model)}^^^^^^&${PS_IDNAT_OID}&ISO^U^^^RI`;

/** XON of a structure: `Name^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^StructIdNat`. */
export const xon = (name: string, structIdNat: string, oid: string = STRUCT_IDNAT_OID): string =>
  `${escapeHl7(name)}^^^^^&${oid}&ISO^IDNST^^^${escapeHl7(structIdNat)}`;

/** A coded value as CWE-like `code^display^system` (authorSpecialty/authorRole; standards.md §4.4 [Low]). */
export const cwe = (code: string, display: string | undefined, system: string): string => `${escapeHl7(code)}^${escapeHl7(display ?? '')}^${system}`;

/**
 * HL7 TS (`YYYYMMDD[HH[MM[SS[.S+]]]][±ZZZZ]`) to the XDS DTM in UTC (`YYYYMMDD[hh[mm[ss]]]`, same precision).
 * Without an offset the value cannot be placed in UTC: undefined is returned with `ok: false`.
 */
export const tsToUtc = (ts: string): { ok: true; value: string } | { ok: false; reason: string } => {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(ts.trim());
  if (!m) {
    return { ok: false, reason: `not an HL7 TS: ${ts}` };
  }
  const [, y, mo, d, h, mi, s, tz] = m;
  if (!h) {
    // Day precision (or less): no time of day to convert.
    return { ok: true, value: `${y}${mo ?? ''}${d ?? ''}` };
  }
  if (!tz) {
    return { ok: false, reason: `a time without a UTC offset cannot be converted to UTC: ${ts}` };
  }
  const sign = tz.startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi ?? '0'), Number(s ?? '0'));
  const utc = new Date(local - offsetMin * 60_000).toISOString().replace(/[-:T]/g, '');
  // ISO string: YYYYMMDDhhmmss.sssZ after the replace.
  const digits = 8 + 2 + (mi ? 2 : 0) + (s ? 2 : 0);
  return { ok: true, value: utc.slice(0, digits) };
};

/** A Date to XDS DTM UTC with seconds. */
export const dateToDtm = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** A UUID (any case) to an OID under 2.25 (ITU-T X.667), for submission-set uniqueIds. */
export const uuidToOid = (uuid: string): string => `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString(10)}`;
