/**
 * FHIR R4 Patient (FR Core `fr-core-patient-ins`) → PatientIdentity: INS identifiers (urn:oid:1.2.250.1.213.1.4.8/.9/
 * .10/.11), official name + the birth-list extension, usual name, birthDate, birth place INSEE code, and the
 * identity-reliability extension (identityStatus, validationMode, validationDate, DOUT/FICT comments).
 * https://hl7.fr/ig/fhir/core/StructureDefinition-fr-core-patient-ins.html (standards.md §1.7)
 */
import type { AdministrativeSex, Identifier, IdentityAttribute, IdentityStatus, Ins, PatientIdentity, PostalAddress } from '../../core/report/model.js';
import { checkInsValue, isInsOid } from '../../core/report/ins.js';
import { dateProblem } from '../../core/report/dates.js';
import type { Issue } from '../../core/validation/issue.js';
import { issue } from '../../core/validation/issue.js';
import type { Node } from './json.js';

const FR = 'https://hl7.fr/ig/fhir/core/StructureDefinition/';
const BIRTH_LIST = `${FR}fr-core-patient-birth-list-given-name`;
const RELIABILITY = `${FR}fr-core-identity-reliability`;
const INSEE_CODE = `${FR}fr-core-address-insee-code`;
const BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

const STATUS: Readonly<Record<string, IdentityStatus>> = { PROV: 'PROV', RECUP: 'RECUP', VALI: 'VALI', QUAL: 'QUAL' };
const ATTRIBUTE: Readonly<Record<string, IdentityAttribute>> = { DOUT: 'DOUT', DOUTE: 'DOUT', FICT: 'FICT', FICTI: 'FICT', HOMONYME: 'HOMONYME', HOMON: 'HOMONYME' };
const GENDER: Readonly<Record<string, AdministrativeSex>> = { male: 'M', female: 'F', unknown: 'U', other: 'U' };

export const oidOf = (system: string | undefined): string | undefined => (system?.startsWith('urn:oid:') ? system.slice(8) : undefined);

const extensions = (n: Node, url: string): Node[] => n.get('extension').items().filter((e) => e.get('url').str() === url);

/** FHIR date (YYYY, YYYY-MM, YYYY-MM-DD) → lunar form with 00 for what is unknown. */
export const fhirBirthDate = (v: string, maxYear: number): { ok: true; value: string } | { ok: false; reason: string } => {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (!m) {
    return { ok: false, reason: 'it is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)' };
  }
  const y = Number(m[1]);
  const mo = m[2] === undefined ? 0 : Number(m[2]);
  const d = m[3] === undefined ? 0 : Number(m[3]);
  const problem = dateProblem({ y, mo, d }, { minYear: 1850, maxYear, lunar: true });
  return problem === undefined ? { ok: true, value: `${m[1]}-${m[2] ?? '00'}-${m[3] ?? '00'}` } : { ok: false, reason: problem };
};

export const mapFhirPatient = (p: Node, maxYear: number, issues: Issue[]): PatientIdentity => {
  const err = (code: string, path: string, msg: string): void => {
    issues.push(issue('error', code, path, msg));
  };
  let ins: Ins | undefined;
  const identifiers: Identifier[] = [];
  for (const id of p.get('identifier').items()) {
    const oid = oidOf(id.get('system').str());
    const value = id.get('value').str() ?? '';
    if (oid === undefined || value === '') {
      continue;
    }
    if (isInsOid(oid)) {
      const check = checkInsValue(value);
      if (check === 'format') {
        err('REPORT_INS_INVALID', id.get('value').path, 'The INS must be 15 characters (13-character NIR/NIA + 2-digit key).');
        continue;
      }
      if (check === 'key') {
        err('REPORT_INS_KEY_MISMATCH', id.get('value').path, 'The INS key (last 2 digits) does not match its 13 first characters.');
        continue;
      }
      const candidate = { value: value.toUpperCase(), oid };
      if (ins !== undefined && ins.oid !== '1.2.250.1.213.1.4.9' && candidate.oid !== '1.2.250.1.213.1.4.9' && ins.value !== candidate.value) {
        err('REPORT_INS_CONFLICT', id.path, 'Patient.identifier carries two different INS.');
        continue;
      }
      if (ins === undefined || ins.oid === '1.2.250.1.213.1.4.9') {
        ins = candidate;
      }
    } else {
      identifiers.push({ system: oid, value });
    }
  }
  const typedIns = p
    .get('identifier')
    .items()
    .find((id) => /^INS-N/.test(id.get('type').get('coding').at(0).get('code').str() ?? '') && !isInsOid(oidOf(id.get('system').str()) ?? ''));
  if (typedIns !== undefined) {
    err('REPORT_INS_OID_UNKNOWN', typedIns.get('system').path, 'An identifier typed INS-NIR/INS-NIA has a system that is not an INS OID (urn:oid:1.2.250.1.213.1.4.8/.9/.10/.11).');
  }

  const names = p.get('name').items();
  const official = names.find((n) => n.get('use').str() === 'official') ?? names.find((n) => !n.get('use').exists);
  const usual = names.find((n) => n.get('use').str() === 'usual');
  const birthName = official?.get('family').str() ?? '';
  const firstGiven = official?.get('given').at(0).str() ?? '';
  if (birthName === '') {
    err('FHIR_REQUIRED_ELEMENT_MISSING', official ? official.get('family').path : p.get('name').path, 'Patient.name with use "official" (birth name) and a family name is required.');
  }
  if (firstGiven === '' && official !== undefined) {
    err('FHIR_REQUIRED_ELEMENT_MISSING', official.get('given').path, 'Patient.name (official) needs the first birth first name in given[0].');
  }
  const listExt = extensions(p, BIRTH_LIST)[0] ?? (official ? extensions(official, BIRTH_LIST)[0] : undefined);
  const birthList = listExt?.get('valueString').str()?.replace(/\s+/g, ' ') ?? firstGiven;

  let birthDate = '';
  const bd = p.get('birthDate');
  if (!bd.exists) {
    err('FHIR_REQUIRED_ELEMENT_MISSING', bd.path, 'Patient.birthDate is required.');
  } else {
    const r = fhirBirthDate(bd.str() ?? '', maxYear);
    if (r.ok) {
      birthDate = r.value;
    } else {
      err('FHIR_VALUE_INVALID', bd.path, `Patient.birthDate is invalid: ${r.reason}.`);
    }
  }
  const g = p.get('gender');
  let sex: AdministrativeSex = 'U';
  if (g.exists) {
    const s = GENDER[g.str() ?? ''];
    if (s === undefined) {
      err('FHIR_VALUE_INVALID', g.path, 'Patient.gender must be male, female, other or unknown.');
    } else {
      sex = s;
    }
  }

  let birthPlaceCog: string | undefined;
  const bp = extensions(p, BIRTH_PLACE)[0];
  if (bp !== undefined) {
    const code = extensions(bp.get('valueAddress'), INSEE_CODE)[0]?.get('valueCoding').get('code');
    const v = code?.str();
    if (v !== undefined && !/^(?:\d{5}|2[AB]\d{3})$/i.test(v)) {
      err('FHIR_VALUE_INVALID', code?.path ?? bp.path, 'The birth place INSEE code must be 5 characters (COG, 99xxx for a country).');
    } else if (v !== undefined) {
      birthPlaceCog = v.toUpperCase();
    }
  }

  let status: IdentityStatus | undefined;
  const attributes: IdentityAttribute[] = [];
  let documentType: string | undefined;
  let checkedOn: string | undefined;
  const rel = extensions(p, RELIABILITY)[0];
  if (rel !== undefined) {
    for (const sub of rel.get('extension').items()) {
      const url = sub.get('url').str();
      const code = sub.get('valueCoding').get('code').str() ?? sub.get('valueString').str() ?? sub.get('valueCode').str();
      if (url === 'identityStatus') {
        const s = STATUS[(code ?? '').toUpperCase()];
        if (s === undefined) {
          err('REPORT_IDENTITY_STATUS_INVALID', sub.path, 'identityStatus must be PROV, RECUP, VALI or QUAL.');
        } else if (status !== undefined && status !== s) {
          err('REPORT_IDENTITY_STATUS_INVALID', sub.path, 'Two different identity statuses are given.');
        } else {
          status = s;
        }
      } else if (url === 'comment' || url === 'attribute') {
        const a = ATTRIBUTE[(code ?? '').toUpperCase()];
        if (a === undefined) {
          err('REPORT_IDENTITY_STATUS_INVALID', sub.path, 'The identity attribute must be DOUT, FICT or HOMONYME.');
        } else if (!attributes.includes(a)) {
          attributes.push(a);
        }
      } else if (url === 'validationMode') {
        documentType = code?.toUpperCase();
      } else if (url === 'validationDate') {
        checkedOn = sub.get('valueDate').str() ?? sub.get('valueDateTime').str();
      }
    }
  }
  if (attributes.includes('DOUT') && attributes.includes('FICT')) {
    err('REPORT_IDENTITY_STATUS_INVALID', rel?.path ?? p.path, 'An identity cannot be both doubtful (DOUT) and fictitious (FICT).');
  }
  if (status === undefined) {
    issues.push(issue('warning', 'REPORT_IDENTITY_STATUS_ASSUMED', rel?.path ?? `${p.path}.extension`, 'No identity status (fr-core-identity-reliability); the identity is treated as provisional (PROV).'));
    status = 'PROV';
  }

  const addr = p.get('address').at(0);
  const address: PostalAddress | undefined = addr.isObject
    ? {
        lines: addr.get('line').items().map((l) => l.str() ?? '').filter((l) => l !== ''),
        ...(addr.get('city').str() ? { city: addr.get('city').str() } : {}),
        ...(addr.get('postalCode').str() ? { postalCode: addr.get('postalCode').str() } : {}),
        ...(addr.get('country').str() ? { country: addr.get('country').str() } : {}),
      }
    : undefined;
  const telecom = p
    .get('telecom')
    .items()
    .map((t) => {
      const v = t.get('value').str();
      return v === undefined ? undefined : t.get('system').str() === 'email' ? `mailto:${v}` : `tel:${v}`;
    })
    .filter((t): t is string => t !== undefined);

  return {
    ...(ins !== undefined ? { ins } : {}),
    identifiers,
    birthName,
    birthGivenNames: birthList,
    firstGivenName: firstGiven,
    sex,
    birthDate,
    ...(birthPlaceCog !== undefined ? { birthPlaceCog } : {}),
    ...(usual?.get('family').str() ? { usedName: usual.get('family').str() } : {}),
    ...(usual?.get('given').at(0).str() ? { usedGivenName: usual.get('given').at(0).str() } : {}),
    status,
    attributes,
    ...(documentType !== undefined ? { evidence: { documentType, ...(checkedOn !== undefined ? { checkedOn } : {}) } } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
  };
};
