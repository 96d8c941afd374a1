/**
 * PID (and ZFD) → PatientIdentity, following IHE PAM FR (national extension of IHE PAM) and the INS guide:
 * - PID-3 repetitions: INS `matricule^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS`, the lab's IPP `…^^^LAB&<oid>&ISO^PI`;
 * - PID-5 repetitions by name type (XPN.7): `L` birth name with XPN.2 first birth first name and XPN.3 the list of
 *   birth first names, `D` used name;
 * - PID-7 birth date (partial allowed), PID-8 sex, PID-11 address with type `BDL` and the COG in XAD.9;
 * - PID-32 identity reliability: PROV / RECUP / VALI / QUAL and the DOUT / FICT (DOUTE / FICTI) attributes.
 */
import { INS_OID, type AdministrativeSex, type Identifier, type IdentityAttribute, type IdentityStatus, type Ins, type PatientIdentity, type PostalAddress } from '../../core/report/model.js';
import { checkInsValue, isInsOid } from '../../core/report/ins.js';
import type { MapContext } from './context.js';
import { hl7BirthDateToIso } from './datetime.js';
import { decodeComponent, type Segment } from './tokenize.js';

const OBSOLETE_INS_C = '1.2.250.1.213.1.4.2';
const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

const STATUS: Readonly<Record<string, IdentityStatus>> = { PROV: 'PROV', RECUP: 'RECUP', VALI: 'VALI', QUAL: 'QUAL' };
const ATTRIBUTE: Readonly<Record<string, IdentityAttribute>> = {
  DOUT: 'DOUT',
  DOUTE: 'DOUT',
  FICT: 'FICT',
  FICTI: 'FICT',
  HOMONYME: 'HOMONYME',
  HOMON: 'HOMONYME',
};

const SEX: Readonly<Record<string, AdministrativeSex>> = { M: 'M', F: 'F', U: 'U' };

interface PidIdentifiers {
  readonly ins?: Ins;
  readonly identifiers: Identifier[];
}

const mapIdentifiers = (pid: Segment, ctx: MapContext): PidIdentifiers => {
  const identifiers: Identifier[] = [];
  const insFound: { ins: Ins; rep: number }[] = [];
  const reps = pid.rawRepetitions(3);
  reps.forEach((raw, i) => {
    const r = i + 1;
    const d = pid.delimiters;
    const value = decodeComponent(raw, d, 1).trim();
    const namespace = decodeComponent(raw, d, 4, 1).trim();
    const oid = decodeComponent(raw, d, 4, 2).trim();
    const type = decodeComponent(raw, d, 5).trim().toUpperCase();
    if (value === '') {
      ctx.error('HL7_REQUIRED_FIELD_MISSING', pid.path(3, r, 1), `PID-3 repetition ${r} has no identifier value (CX.1).`);
      return;
    }
    if (oid === OBSOLETE_INS_C || type === 'INS-C') {
      ctx.warn('REPORT_INS_C_IGNORED', pid.path(3, r), `PID-3 repetition ${r} is an obsolete computed INS (INS-C); it is ignored.`);
      return;
    }
    const looksIns = type === 'INS' || type === 'INS-NIR' || type === 'INS-NIA' || isInsOid(oid);
    if (looksIns) {
      if (!isInsOid(oid)) {
        ctx.error(
          'REPORT_INS_OID_UNKNOWN',
          pid.path(3, r, 4, 2),
          `PID-3 repetition ${r} is typed INS but its assigning authority OID is ${oid === '' ? 'missing' : `"${oid}"`}; expected 1.2.250.1.213.1.4.8, .9, .10 or .11.`,
        );
        return;
      }
      const check = checkInsValue(value);
      if (check === 'format') {
        ctx.error('REPORT_INS_INVALID', pid.path(3, r, 1), `PID-3 repetition ${r}: the INS must be 15 characters (13-character NIR/NIA + 2-digit key).`);
        return;
      }
      if (check === 'key') {
        ctx.error('REPORT_INS_KEY_MISMATCH', pid.path(3, r, 1), `PID-3 repetition ${r}: the INS key (last 2 digits) does not match its 13 first characters.`);
        return;
      }
      insFound.push({ ins: { value: value.toUpperCase(), oid }, rep: r });
      return;
    }
    if (oid !== '' && !OID.test(oid)) {
      ctx.error('HL7_VALUE_INVALID', pid.path(3, r, 4, 2), `PID-3 repetition ${r}: assigning authority "${oid}" is not an OID.`);
      return;
    }
    if (oid === '') {
      ctx.warn('HL7_IDENTIFIER_NO_OID', pid.path(3, r, 4), `PID-3 repetition ${r} has no assigning authority OID (CX.4.2); its namespace is kept instead.`);
    }
    identifiers.push({ system: oid !== '' ? oid : namespace, value });
  });
  // NIR (.8/.10/.11) wins over NIA (.9): a NIA is replaced by the NIR once known.
  const nirs = insFound.filter((f) => f.ins.oid !== INS_OID.NIA);
  const pool = nirs.length > 0 ? nirs : insFound;
  const distinct = new Set(pool.map((f) => `${f.ins.oid}|${f.ins.value}`));
  if (distinct.size > 1) {
    const second = pool[1];
    ctx.error('REPORT_INS_CONFLICT', pid.path(3, second?.rep ?? 1), 'PID-3 carries two different INS for one patient.');
    return { identifiers };
  }
  const first = pool[0];
  return first === undefined ? { identifiers } : { ins: first.ins, identifiers };
};

interface Names {
  birthName: string;
  birthGivenNames: string;
  firstGivenName: string;
  usedName?: string;
  usedGivenName?: string;
}

const mapNames = (pid: Segment, ctx: MapContext): Names => {
  const d = pid.delimiters;
  const reps = pid.rawRepetitions(5);
  let birth: { family: string; given: string; list: string; rep: number } | undefined;
  let used: { family: string; given: string } | undefined;
  let untyped: { family: string; given: string; list: string; rep: number } | undefined;
  reps.forEach((raw, i) => {
    const r = i + 1;
    const family = decodeComponent(raw, d, 1, 1).trim();
    const given = decodeComponent(raw, d, 2).trim();
    const list = decodeComponent(raw, d, 3).trim();
    const type = decodeComponent(raw, d, 7).trim().toUpperCase();
    if (type === 'L' || type === 'M') {
      if (birth !== undefined) {
        ctx.error('HL7_REPETITION_CONFLICT', pid.path(5, r, 7), 'PID-5 has two birth names (name type L).');
        return;
      }
      birth = { family, given, list, rep: r };
    } else if (type === 'D' || type === 'U') {
      used = { family, given };
    } else if (type === '') {
      untyped ??= { family, given, list, rep: r };
    } else if (type !== 'S' && type !== 'A' && type !== 'B' && type !== 'C' && type !== 'I' && type !== 'N' && type !== 'P' && type !== 'R' && type !== 'T') {
      ctx.error('HL7_CODE_UNKNOWN', pid.path(5, r, 7), `PID-5 repetition ${r}: name type "${type}" is not in HL7 table 0200.`);
    }
  });
  if (birth === undefined && untyped !== undefined) {
    ctx.warn('HL7_NAME_TYPE_ASSUMED', pid.path(5, untyped.rep, 7), 'PID-5 has no birth name (type L); the untyped name is read as the birth name.');
    birth = untyped;
  }
  if (birth === undefined || birth.family === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', pid.path(5, birth?.rep, 1), 'PID-5 has no birth name (family name of the name of type L).');
    return { birthName: '', birthGivenNames: '', firstGivenName: '' };
  }
  const listWords = birth.list.split(/\s+/).filter((w) => w !== '');
  const first = birth.given !== '' ? birth.given : (listWords[0] ?? '');
  const fullList = birth.list !== '' ? birth.list.replace(/\s+/g, ' ') : first;
  if (first === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', pid.path(5, birth.rep, 2), 'PID-5 birth name has no first name (XPN.2).');
  } else if (listWords.length > 0 && listWords[0]?.toUpperCase() !== first.toUpperCase()) {
    ctx.warn('REPORT_GIVEN_NAMES_INCONSISTENT', pid.path(5, birth.rep, 3), 'PID-5: the list of birth first names (XPN.3) does not start with the first birth first name (XPN.2).');
  }
  const names: Names = { birthName: birth.family, birthGivenNames: fullList, firstGivenName: first };
  if (used !== undefined) {
    if (used.family !== '') {
      names.usedName = used.family;
    }
    if (used.given !== '') {
      names.usedGivenName = used.given;
    }
  }
  return names;
};

const mapStatus = (pid: Segment, ctx: MapContext): { status: IdentityStatus; attributes: IdentityAttribute[] } => {
  const values = pid.rawRepetitions(32).map((raw) => decodeComponent(raw, pid.delimiters, 1).trim().toUpperCase());
  let status: IdentityStatus | undefined;
  const attributes: IdentityAttribute[] = [];
  values.forEach((v, i) => {
    const r = i + 1;
    if (v === '') {
      return;
    }
    const s = STATUS[v];
    const a = ATTRIBUTE[v];
    if (s !== undefined) {
      if (status !== undefined && status !== s) {
        ctx.error('REPORT_IDENTITY_STATUS_INVALID', pid.path(32, r), `PID-32 carries two identity statuses (${status} and ${s}); exactly one is allowed.`);
      }
      status = s;
    } else if (a !== undefined) {
      if (!attributes.includes(a)) {
        attributes.push(a);
      }
    } else {
      ctx.error('REPORT_IDENTITY_STATUS_INVALID', pid.path(32, r), `PID-32 value "${v}" is not an identity status (PROV, RECUP, VALI, QUAL) nor an attribute (DOUT, FICT, HOMONYME).`);
    }
  });
  if (attributes.includes('DOUT') && attributes.includes('FICT')) {
    ctx.error('REPORT_IDENTITY_STATUS_INVALID', pid.path(32), 'PID-32: an identity cannot be both doubtful (DOUT) and fictitious (FICT).');
  }
  if (status === undefined) {
    ctx.warn('REPORT_IDENTITY_STATUS_ASSUMED', pid.path(32), 'PID-32 gives no identity status; the identity is treated as provisional (PROV).');
    status = 'PROV';
  }
  return { status, attributes };
};

const mapAddresses = (pid: Segment, ctx: MapContext): { birthPlaceCog?: string; address?: PostalAddress } => {
  const d = pid.delimiters;
  let birthPlaceCog: string | undefined;
  let address: PostalAddress | undefined;
  pid.rawRepetitions(11).forEach((raw, i) => {
    const r = i + 1;
    const type = decodeComponent(raw, d, 7).trim().toUpperCase();
    if (type === 'BDL') {
      const cog = decodeComponent(raw, d, 9).trim().toUpperCase();
      if (cog === '') {
        return;
      }
      if (!/^(?:\d{5}|2[AB]\d{3})$/.test(cog)) {
        ctx.error('HL7_VALUE_INVALID', pid.path(11, r, 9), 'PID-11 birth place (type BDL): XAD.9 must be a 5-character INSEE code (COG), 99xxx for a country.');
        return;
      }
      birthPlaceCog = cog;
      return;
    }
    if (address !== undefined) {
      return;
    }
    const lines = [decodeComponent(raw, d, 1, 1), decodeComponent(raw, d, 2)].map((l) => l.trim()).filter((l) => l !== '');
    const city = decodeComponent(raw, d, 3).trim();
    const postalCode = decodeComponent(raw, d, 5).trim();
    const country = decodeComponent(raw, d, 6).trim();
    if (lines.length === 0 && city === '' && postalCode === '') {
      return;
    }
    address = {
      lines,
      ...(city !== '' ? { city } : {}),
      ...(postalCode !== '' ? { postalCode } : {}),
      ...(country !== '' ? { country } : {}),
    };
  });
  return { ...(birthPlaceCog !== undefined ? { birthPlaceCog } : {}), ...(address !== undefined ? { address } : {}) };
};

const mapTelecom = (pid: Segment): string[] => {
  const out: string[] = [];
  for (const raw of [...pid.rawRepetitions(13), ...pid.rawRepetitions(14)]) {
    const email = decodeComponent(raw, pid.delimiters, 4).trim();
    const number = decodeComponent(raw, pid.delimiters, 12).trim() || decodeComponent(raw, pid.delimiters, 1).trim();
    if (email !== '') {
      out.push(`mailto:${email}`);
    } else if (number !== '') {
      out.push(`tel:${number}`);
    }
  }
  return out;
};

/** Warns when the NIR's sex digit or birth year/month disagree with PID-7/PID-8 (the identity gate decides). */
const crossCheckNir = (ins: Ins, sex: AdministrativeSex, birthDate: string, pid: Segment, ctx: MapContext): void => {
  const sexDigit = ins.value[0];
  const yy = ins.value.slice(1, 3);
  const mm = ins.value.slice(3, 5);
  const disagree: string[] = [];
  if ((sex === 'M' && sexDigit !== '1' && sexDigit !== '3' && sexDigit !== '7') || (sex === 'F' && sexDigit !== '2' && sexDigit !== '4' && sexDigit !== '8')) {
    disagree.push('sex');
  }
  if (birthDate.slice(2, 4) !== yy) {
    disagree.push('birth year');
  } else if (/^(0[1-9]|1[0-2])$/.test(mm) && birthDate.slice(5, 7) !== '00' && birthDate.slice(5, 7) !== mm) {
    disagree.push('birth month');
  }
  if (disagree.length > 0) {
    ctx.warn('REPORT_INS_TRAITS_DISAGREE', pid.path(3), `The INS disagrees with PID-7/PID-8 on: ${disagree.join(', ')} (another person's INS?). The identity gate will hold the report.`);
  }
};

export const mapPatient = (pid: Segment, zfd: Segment | undefined, ctx: MapContext): PatientIdentity => {
  const { ins, identifiers } = mapIdentifiers(pid, ctx);
  const names = mapNames(pid, ctx);
  let birthDate = '';
  const rawBirth = pid.get(7).trim();
  if (rawBirth === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', pid.path(7), 'PID-7 birth date is required and empty.');
  } else {
    const r = hl7BirthDateToIso(rawBirth, ctx.messageYear);
    if (r.ok) {
      birthDate = r.value;
    } else {
      ctx.error('HL7_DATE_INVALID', pid.path(7), `PID-7 birth date is invalid: ${r.reason}.`);
    }
  }
  const rawSex = pid.get(8).trim().toUpperCase();
  let sex: AdministrativeSex = 'U';
  if (rawSex === '') {
    ctx.warn('HL7_SEX_UNKNOWN', pid.path(8), 'PID-8 sex is empty; recorded as unknown (U).');
  } else if (SEX[rawSex] !== undefined) {
    sex = SEX[rawSex];
  } else if (rawSex === 'O' || rawSex === 'A' || rawSex === 'N') {
    ctx.warn('HL7_SEX_UNKNOWN', pid.path(8), `PID-8 sex "${rawSex}" has no INS equivalent; recorded as unknown (U).`);
  } else {
    ctx.error('HL7_CODE_UNKNOWN', pid.path(8), `PID-8 sex "${rawSex}" is not in HL7 table 0001 (M, F, U, O, A, N).`);
  }
  const { status, attributes } = mapStatus(pid, ctx);
  const { birthPlaceCog, address } = mapAddresses(pid, ctx);
  const telecom = mapTelecom(pid);
  if (ins !== undefined && birthDate !== '') {
    crossCheckNir(ins, sex, birthDate, pid, ctx);
  }
  // ZFD-7 (IHE PAM FR): type of the identity document checked by reception staff.
  const evidenceType = zfd?.get(7).trim() ?? '';
  return {
    ...(ins !== undefined ? { ins } : {}),
    identifiers,
    birthName: names.birthName,
    birthGivenNames: names.birthGivenNames,
    firstGivenName: names.firstGivenName,
    sex,
    birthDate,
    ...(birthPlaceCog !== undefined ? { birthPlaceCog } : {}),
    ...(names.usedName !== undefined ? { usedName: names.usedName } : {}),
    ...(names.usedGivenName !== undefined ? { usedGivenName: names.usedGivenName } : {}),
    status,
    attributes,
    ...(evidenceType !== '' ? { evidence: { documentType: evidenceType.toUpperCase() } } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
  };
};
