/** HL7 v2 data types shared by the segment mappers: CWE/CE codes, XCN / CNN practitioners. */
import type { Code, Practitioner } from '../../core/report/model.js';
import type { MapContext } from './context.js';
import { decodeComponent, unescapeHl7, type Delimiters } from './tokenize.js';

export const LOINC_OID = '2.16.840.1.113883.6.1';
export const SNOMED_OID = '2.16.840.1.113883.6.96';
export const SPECIMEN_TYPE_OID = '2.16.840.1.113883.18.311';
/** PS_IdNat: 8 + RPPS (standards.md Appendix A). */
export const PS_IDNAT_OID = '1.2.250.1.71.4.2.1';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
export const isOid = (s: string): boolean => OID.test(s);

/** HL7 table 0396 names → OIDs. */
const SYSTEMS: Readonly<Record<string, string>> = {
  LN: LOINC_OID,
  LOINC: LOINC_OID,
  SCT: SNOMED_OID,
  SNM: SNOMED_OID,
  SNOMED: SNOMED_OID,
  SNOMEDCT: SNOMED_OID,
  HL70487: SPECIMEN_TYPE_OID,
  NABM: '1.2.250.1.213.2.7',
  UCUM: '2.16.840.1.113883.6.8',
  HL70078: '2.16.840.1.113883.5.83',
};

export interface Coded {
  /** The LOINC (or other standard) code, when one of the triplets is standard. */
  readonly standard?: Code;
  /** The local triplet, when there is one. */
  readonly local?: Code;
}

export interface CodeOptions {
  /** OID given to local codes whose coding system is a name (settings lab.oid). */
  readonly labOid?: string;
}

const triplet = (comps: readonly string[], start: number, d: Delimiters): { code: string; display: string; system: string } => ({
  code: unescapeHl7(comps[start] ?? '', d).trim(),
  display: unescapeHl7(comps[start + 1] ?? '', d).trim(),
  system: unescapeHl7(comps[start + 2] ?? '', d).trim(),
});

/**
 * Reads a CWE/CE repetition: primary triplet (1–3) and alternate (4–6). A triplet whose system is a known
 * standard (LN, SCT…) or a standard OID is `standard`; the other is `local`, with the lab OID when its system is a name.
 */
export const readCoded = (rawRep: string, d: Delimiters, path: string, ctx: MapContext, opts: CodeOptions): Coded => {
  const comps = rawRep.split(d.component).map((c) => c.split(d.subcomponent)[0] ?? '');
  const result: { standard?: Code; local?: Code } = {};
  for (const start of [0, 3]) {
    const t = triplet(comps, start, d);
    if (t.code === '') {
      continue;
    }
    const known = SYSTEMS[t.system.toUpperCase()];
    const display = t.display !== '' ? { display: t.display } : {};
    if (known !== undefined || t.system === LOINC_OID || t.system === SNOMED_OID) {
      result.standard ??= { code: t.code, system: known ?? t.system, ...display };
      continue;
    }
    let system = t.system;
    if (!isOid(system)) {
      if (opts.labOid !== undefined) {
        system = opts.labOid;
      } else {
        ctx.warn('HL7_LOCAL_CODE_NO_OID', path, `Local code system "${t.system}" is not an OID and no laboratory OID (lab.oid) is configured.`);
      }
    }
    result.local ??= { code: t.code, system, ...display };
  }
  return result;
};

/** A code, preferring the standard triplet. */
export const bestCode = (c: Coded): Code | undefined => c.standard ?? c.local;

const practitionerFrom = (
  id: string,
  family: string,
  given: string,
  prefix: string,
  authorityNs: string,
  authorityOid: string,
  idType: string,
): Practitioner | undefined => {
  if (id === '' && family === '' && given === '') {
    return undefined;
  }
  let rpps: string | undefined;
  const identifiers: { system: string; value: string }[] = [];
  if (id !== '') {
    if (authorityOid === PS_IDNAT_OID && /^8\d{11}$/.test(id)) {
      rpps = id.slice(1);
    } else if (idType.toUpperCase() === 'RPPS' && /^\d{11}$/.test(id)) {
      rpps = id;
    } else {
      identifiers.push({ system: authorityOid !== '' ? authorityOid : authorityNs, value: id });
    }
  }
  return {
    ...(rpps !== undefined ? { rpps } : {}),
    identifiers,
    ...(family !== '' ? { family } : {}),
    ...(given !== '' ? { given } : {}),
    ...(prefix !== '' ? { prefix } : {}),
  };
};

/** XCN (ORC-12, OBR-10, OBR-16): id^family^given^second^suffix^prefix^degree^source^authority(HD)^…^type(13). */
export const readXcn = (rawRep: string | undefined, d: Delimiters): Practitioner | undefined => {
  if (rawRep === undefined || rawRep === '') {
    return undefined;
  }
  const c = (n: number, s = 1): string => decodeComponent(rawRep, d, n, s).trim();
  return practitionerFrom(c(1), c(2), c(3), c(6), c(9, 1), c(9, 2), c(13));
};

/** CNN inside NDL (OBR-32): id&family&given&second&suffix&prefix&degree&source&authorityNs&authorityOid&type. */
export const readNdl = (rawRep: string | undefined, d: Delimiters): Practitioner | undefined => {
  if (rawRep === undefined || rawRep === '') {
    return undefined;
  }
  const s = (n: number): string => decodeComponent(rawRep, d, 1, n).trim();
  return practitionerFrom(s(1), s(2), s(3), s(6), s(9), s(10), s(11));
};
