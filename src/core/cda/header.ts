/**
 * CI-SIS header of a CR-BIO 2024.01 (standards.md §1.6, §3.1, §3.2). Each function returns the elements in
 * the order the CDA R2 schema (POCD_MT000040.ClinicalDocument) requires.
 */
import type { LabReport, PatientIdentity, Practitioner } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';
import {
  BIOLOGIST_SPECIALTY,
  DEVICE_AUTHOR,
  OID_ADMINISTRATIVE_GENDER,
  OID_PRACTICE_SETTING,
  PRACTICE_SETTINGS,
  SEX_DISPLAY,
} from './codes.js';
import { addr, cd, ii, LOINC, OID_STRUCT_IDNAT, personName, practitionerId, telecoms, toTs, ts } from './datatypes.js';
import type { CdaSettings } from './types.js';
import { el, txt, type XElement } from './xml.js';

export const IHE_LAB_NS = 'urn:oid:1.3.6.1.4.1.19376.1.3.2';

/** Who signs and answers for the report: the responsible biologist, else the first validating biologist. */
export const responsibleBiologist = (r: LabReport): Practitioner | undefined =>
  r.responsibleBiologist ?? r.batteries.find((b) => b.validator)?.validator;

const specialty = (p: Practitioner): XElement => cd('code', p.specialty ?? BIOLOGIST_SPECIALTY);

/** A laboratory organisation element (representedOrganization, representedCustodianOrganization…). */
export const labOrganization = (
  name: string,
  s: CdaSettings,
  opts: { practiceSetting?: boolean; cofrac?: boolean } = {},
): XElement =>
  el(
    name,
    {},
    ii(OID_STRUCT_IDNAT, `1${s.lab.finess}`),
    opts.cofrac && s.lab.cofrac ? ii('1.2.250.1.213.6.3.1', s.lab.cofrac, 'id', { assigningAuthorityName: 'COFRAC' }) : undefined,
    el('name', {}, s.lab.name),
    telecoms(s.lab.telecom, 'WP'),
    addr(s.lab.address),
    opts.practiceSetting
      ? cd('standardIndustryClassCode', {
          code: s.lab.practiceSetting,
          system: OID_PRACTICE_SETTING,
          display: PRACTICE_SETTINGS[s.lab.practiceSetting],
        })
      : undefined,
  );

/** A biologist working at the lab: when the SIL gives no address or phone, the lab's are used. */
const biologistContact = (p: Practitioner, s: CdaSettings): XElement[] => [
  addr(p.address ?? s.lab.address),
  ...telecoms(p.telecom && p.telecom.length > 0 ? p.telecom : s.lab.telecom, 'WP'),
];

export const recordTarget = (p: PatientIdentity, issues: Issue[]): XElement => {
  const withIns = p.ins !== undefined && p.status === 'QUAL' && !p.attributes.some((a) => a === 'DOUT' || a === 'FICT');
  if (p.ins && !withIns) {
    issues.push(
      issue('warning', 'CDA_INS_NOT_SENT', '/ClinicalDocument/recordTarget/patientRole/id', 'The INS is left out: the identity is not qualified (RNIV status QUAL without DOUT/FICT is required).'),
    );
  }
  const ids = [
    withIns && p.ins ? ii(p.ins.oid, p.ins.value) : undefined,
    ...p.identifiers.map((i) => ii(i.system, i.value)),
  ].filter((x): x is XElement => x !== undefined);
  if (ids.length === 0) {
    issues.push(issue('error', 'CDA_PATIENT_ID_MISSING', '/ClinicalDocument/recordTarget/patientRole/id', 'The patient has neither a qualified INS nor a local identifier (IPP).'));
    ids.push(el('id', { nullFlavor: 'UNK' }));
  }
  const birthTime = toTs(p.birthDate);
  if (withIns && !p.birthPlaceCog) {
    issues.push(issue('error', 'CDA_BIRTHPLACE_MISSING', '/ClinicalDocument/recordTarget/patientRole/patient/birthplace', 'With an INS, the birth place code (INSEE COG) is required.'));
  }
    // Unknown sex: the header schematron requires @code, so UN (JDV_HL7_AdministrativeGender_CISIS), not a nullFlavor.
  const sex = cd('administrativeGenderCode', { code: p.sex === 'U' ? 'UN' : p.sex, system: OID_ADMINISTRATIVE_GENDER, display: SEX_DISPLAY[p.sex] });
  return el(
    'recordTarget',
    {},
    el(
      'patientRole',
      {},
      ids,
      addr(p.address, p.address ? 'H' : undefined),
      telecoms(p.telecom),
      el(
        'patient',
        { classCode: 'PSN' },
        el(
          'name',
          {},
          el('family', { qualifier: 'BR' }, p.birthName),
          txt('given', p.birthGivenNames),
          el('given', { qualifier: 'BR' }, p.firstGivenName),
          txt('family', p.usedName, { qualifier: 'CL' }),
          txt('given', p.usedGivenName, { qualifier: 'CL' }),
        ),
        sex,
        birthTime === undefined ? el('birthTime', { nullFlavor: 'UNK' }) : el('birthTime', { value: birthTime }),
        p.birthPlaceCog ? el('birthplace', {}, el('place', {}, el('addr', {}, el('county', {}, p.birthPlaceCog)))) : undefined,
      ),
    ),
  );
};

export const author = (r: LabReport, s: CdaSettings): XElement => {
  const bio = r.responsibleBiologist?.rpps ? r.responsibleBiologist : undefined;
  const assigned = bio
    ? el('assignedAuthor', {}, practitionerId(bio), specialty(bio), biologistContact(bio, s), el('assignedPerson', {}, personName(bio)), labOrganization('representedOrganization', s))
    : el(
        'assignedAuthor',
        {},
        // The SIL as a device: PS_IdNat 3 + FINESS / internal id (standards.md §3.2 prefixes); decision in docs/decisions.md.
        ii('1.2.250.1.71.4.2.1', `3${s.lab.finess}/${s.software.name}`),
        cd('code', DEVICE_AUTHOR),
        addr(s.lab.address),
        telecoms(s.lab.telecom, 'WP'),
        el('assignedAuthoringDevice', {}, el('manufacturerModelName', {}, s.software.model), el('softwareName', {}, s.software.name)),
        labOrganization('representedOrganization', s),
      );
  return el('author', {}, ts('time', r.reportedAt), assigned);
};

export const custodian = (s: CdaSettings): XElement =>
  el('custodian', {}, el('assignedCustodian', {}, labOrganization('representedCustodianOrganization', s)));

const biologistEntity = (p: Practitioner | undefined, s: CdaSettings, withCode: boolean, orgOpts: { practiceSetting?: boolean; cofrac?: boolean }): XElement =>
  p
    ? el('assignedEntity', {}, practitionerId(p), withCode ? specialty(p) : undefined, biologistContact(p, s), el('assignedPerson', {}, personName(p)), labOrganization('representedOrganization', s, orgOpts))
    : el('assignedEntity', {}, el('id', { nullFlavor: 'UNK' }), addr(s.lab.address), telecoms(s.lab.telecom, 'WP'), labOrganization('representedOrganization', s, orgOpts));

export const legalAuthenticator = (r: LabReport, s: CdaSettings, issues: Issue[]): XElement => {
  const bio = responsibleBiologist(r);
  if (!bio) {
    issues.push(issue('error', 'CDA_BIOLOGIST_MISSING', '/ClinicalDocument/legalAuthenticator', 'The report names no responsible or validating biologist; a CR-BIO needs one.'));
  }
  return el('legalAuthenticator', {}, ts('time', r.reportedAt), el('signatureCode', { code: 'S' }), biologistEntity(bio, s, true, { practiceSetting: true }));
};

/** One authenticator per biologist who validated results (IHE PaLM 1.3.6.1.4.1.19376.1.3.3.1.5). */
export const authenticators = (r: LabReport, s: CdaSettings): XElement[] => {
  const seen = new Map<string, { p: Practitioner; at: string }>();
  for (const b of r.batteries) {
    if (b.validator && b.validatedAt) {
      const key = b.validator.rpps ?? `${b.validator.family ?? ''}|${b.validator.given ?? ''}`;
      const prev = seen.get(key);
      if (!prev || (toTs(b.validatedAt) ?? '') > (toTs(prev.at) ?? '')) {
        seen.set(key, { p: b.validator, at: b.validatedAt });
      }
    }
  }
  return [...seen.values()].map(({ p, at }) =>
    el('authenticator', {}, ii('1.3.6.1.4.1.19376.1.3.3.1.5', undefined, 'templateId'), ts('time', at), el('signatureCode', { code: 'S' }), biologistEntity(p, s, false, {})),
  );
};

const associated = (p: Practitioner): XElement =>
  el(
    'associatedEntity',
    { classCode: 'PROV' },
    practitionerId(p),
    p.specialty ? cd('code', p.specialty) : undefined,
    addr(p.address),
    telecoms(p.telecom),
    el('associatedPerson', {}, personName(p)),
  );

const identified = (p: Practitioner | undefined): p is Practitioner => p !== undefined && (p.rpps !== undefined || p.identifiers.length > 0);

/**
 * Prescriber (REF) and specimen collector (PRF). The header schematron requires their id (root and extension):
 * one the SIL does not identify is left out, with a warning.
 */
export const participants = (r: LabReport, issues: Issue[]): XElement[] => {
  for (const [who, p, path] of [
    ['prescriber', r.prescriber, 'REF'],
    ['specimen collector', r.specimenCollector, 'PRF'],
  ] as const) {
    if (p && !identified(p)) {
      issues.push(issue('warning', 'CDA_PARTICIPANT_UNIDENTIFIED', `/ClinicalDocument/participant[@typeCode='${path}']`, `The ${who} has no RPPS or other identifier; left out of the header.`));
    }
  }
  return [
    identified(r.prescriber)
      ? el(
          'participant',
          { typeCode: 'REF' },
          ii('1.3.6.1.4.1.19376.1.3.3.1.6', undefined, 'templateId'),
          el('time', { 'xsi:type': 'IVL_TS' }, ts('high', r.orderedAt)),
          associated(r.prescriber),
        )
      : undefined,
    identified(r.specimenCollector)
      ? el(
          'participant',
          { typeCode: 'PRF' },
          cd('functionCode', { code: 'PRELV', system: '1.2.250.1.213.1.1.4.2.280', display: 'Préleveur' }),
          el('time', { 'xsi:type': 'IVL_TS' }, ts('high', r.collectedAt)),
          associated(r.specimenCollector),
        )
      : undefined,
  ].filter((x): x is XElement => x !== undefined);
};

export const inFulfillmentOf = (r: LabReport, s: CdaSettings): XElement =>
  el('inFulfillmentOf', {}, el('order', {}, ii(`${s.lab.oid}.2`, r.placerOrderNumber ?? r.accessionNumber)));

const chapterCode = (c: { code: string; display: string }): XElement => cd('code', { code: c.code, system: LOINC, display: c.display }, 'LOINC');

/** documentationOf: the main act (first chapter, lab:statusCode, performer) then one per further chapter. */
export const documentationOf = (r: LabReport, s: CdaSettings, chapters: readonly { code: string; display: string }[]): XElement[] => {
  const [first, ...rest] = chapters;
  const director = responsibleBiologist(r);
  const final = r.status !== 'partial';
  const main = el(
    'documentationOf',
    {},
    el(
      'serviceEvent',
      {},
      ii(`${s.lab.oid}.3`, r.accessionNumber),
      first ? chapterCode(first) : undefined,
      el('lab:statusCode', { code: final ? 'completed' : 'active' }),
      el('effectiveTime', {}, ts('low', r.receivedAt ?? r.collectedAt), final ? ts('high', r.reportedAt) : undefined),
      el(
        'performer',
        { typeCode: 'PRF' },
        ii('1.3.6.1.4.1.19376.1.3.3.1.7', undefined, 'templateId'),
        el('time', {}, ts('high', r.reportedAt)),
        biologistEntity(director, s, true, { practiceSetting: true }),
      ),
    ),
  );
  return [main, ...rest.map((c) => el('documentationOf', {}, el('serviceEvent', {}, chapterCode(c))))];
};

export const relatedDocument = (replaces: string | undefined): XElement | undefined =>
  replaces ? el('relatedDocument', { typeCode: 'RPLC' }, el('parentDocument', {}, ii(replaces))) : undefined;

const ENCOUNTER = {
  AMB: 'Ambulatoire (hors établissement)',
  IMP: 'Hospitalisation (établissement, y compris HAD)',
  EMER: 'Passage aux urgences (établissement)',
} as const;

export const componentOf = (r: LabReport, s: CdaSettings): XElement => {
  const code = s.encounterCode ?? 'AMB';
  const bio = responsibleBiologist(r);
  return el(
    'componentOf',
    {},
    el(
      'encompassingEncounter',
      {},
      cd('code', { code, system: '2.16.840.1.113883.5.4', display: ENCOUNTER[code] }),
      el('effectiveTime', {}, ts('low', r.collectedAt ?? r.receivedAt ?? r.reportedAt)),
      el('responsibleParty', {}, biologistEntity(bio, s, true, { cofrac: true })),
      el(
        'location',
        {},
        el(
          'healthCareFacility',
          {},
          cd('code', { code: 'SA25', system: '1.2.250.1.71.4.2.4', display: 'Laboratoire de biologie médicale' }),
          el('location', {}, el('name', {}, s.lab.name), addr(s.lab.address)),
        ),
      ),
    ),
  );
};
