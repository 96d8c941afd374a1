/**
 * The identity gate (RNIV, standards.md §1.5; DESIGN.md "The identity gate"). Only a QUAL identity with a
 * valid INS of an accepted OID, complete strict traits that agree with the matricule and with the INS traits
 * on record goes on. The gate never raises a status: QUAL needs the ID-document check done at reception.
 * Every reason is an Issue without patient data; the caller holds the report with them.
 */
import type { PatientIdentity } from '../report/model.js';
import type { Issue } from '../validation/issue.js';
import { issue } from '../validation/issue.js';
import { compareTraits, type ComparableTraits, type TraitComparison } from './compare.js';
import { nirTraitConsistency } from './consistency.js';
import type { IdentityDecision } from './decision.js';
import { checkNir, type NirProblemCode } from './nir.js';
import { givenNameTokens, normalizeName } from './normalize.js';
import { checkInsOid } from './oids.js';
import { CURRENT_IDENTITY_RULES, type IdentityRules } from './rules.js';

export type { IdentityDecision } from './decision.js';

/** INS traits on record for this patient (from an earlier INSi answer), and the INS they came with. */
export interface KnownInsTraits extends ComparableTraits {
  /** 15-character matricule + key the traits belong to. */
  readonly ins?: string;
}

export interface IdentityGateContext {
  readonly acceptedOids: readonly string[];
  readonly knownInsTraits?: KnownInsTraits;
  /** Hold a QUAL identity whose ID-document evidence is not given (default false: the SIL owns QUAL). */
  readonly requireEvidence?: boolean;
  readonly rules?: IdentityRules;
  /**
   * Review reasons (warning codes) identity-vigilance staff confirmed when releasing a hold. They no longer
   * hold the report; errors (non-QUAL, DOUT/FICT, bad key or OID, inconsistent traits) cannot be confirmed away.
   */
  readonly confirmedCodes?: readonly string[];
}

/** Plain-words messages for matricule problems, without the value itself. */
const NIR_MESSAGES: Readonly<Record<NirProblemCode, string>> = {
  NIR_EMPTY: 'The matricule INS is empty.',
  NIR_LENGTH: 'The matricule INS does not have 15 characters (13 + a 2-digit key).',
  NIR_KEY_MISSING: 'The matricule INS has 13 characters: its 2-digit key is missing.',
  NIR_CHARACTER: 'The matricule INS has a character that is not a digit (only 2A/2B are allowed, at positions 6-7); look for O/0 or I/1 confusions.',
  NIR_SEX_DIGIT: 'The first digit of the matricule INS is not a valid sex digit.',
  NIR_MONTH: 'The month field of the matricule INS is neither 01-12 nor a special value.',
  NIR_DEPARTMENT: 'The département code of the matricule INS does not exist.',
  NIR_COMMUNE: 'The commune code of the matricule INS is 000.',
  NIR_COUNTRY: 'The country code of the matricule INS (born abroad) is 000.',
  NIR_SERIAL: 'The serial number of the matricule INS is 000.',
  NIR_KEY_MISMATCH: 'The key of the matricule INS does not match its 13 characters (mistyped character?).',
};

/** Whether this identity may be sent to INSi at all: DOUT and FICT identities never are (RNIV EXI SI 09). */
export const mayQueryInsi = (patient: Pick<PatientIdentity, 'attributes'>): { ok: true } | { ok: false; code: string; reason: string } => {
  if (patient.attributes.includes('DOUT')) {
    return { ok: false, code: 'IDENTITY_DOUBTFUL', reason: 'The identity is flagged doubtful (DOUT): it stays provisional and is never sent to INSi.' };
  }
  if (patient.attributes.includes('FICT')) {
    return { ok: false, code: 'IDENTITY_FICTITIOUS', reason: 'The identity is flagged fictitious (FICT): it stays provisional and is never sent to INSi.' };
  }
  return { ok: true };
};

const strictTraitIssues = (p: PatientIdentity): Issue[] => {
  const out: Issue[] = [];
  const missing = (path: string, what: string) =>
    out.push(issue('error', 'IDENTITY_TRAIT_MISSING', `patient.${path}`, `The ${what} is missing; an INS needs all strict traits.`));
  if (normalizeName(p.birthName) === '') {
    missing('birthName', 'birth name');
  }
  if (normalizeName(p.birthGivenNames) === '') {
    missing('birthGivenNames', 'list of birth first names');
  }
  if (normalizeName(p.firstGivenName) === '') {
    missing('firstGivenName', 'first birth first name');
  }
  if (p.sex === 'U') {
    missing('sex', 'sex');
  }
  if (p.birthDate.trim() === '') {
    missing('birthDate', 'birth date');
  }
  if (!p.birthPlaceCog || p.birthPlaceCog.trim() === '') {
    missing('birthPlaceCog', 'birth place code (COG)');
  } else if (!/^[0-9][0-9AB][0-9]{3}$/i.test(p.birthPlaceCog.trim())) {
    out.push(issue('error', 'BIRTH_PLACE_COG_INVALID', 'patient.birthPlaceCog', 'The birth place code is not a 5-character COG (99 + country code when born abroad).'));
  }
  const first = givenNameTokens(p.birthGivenNames)[0];
  if (first !== undefined && normalizeName(p.firstGivenName) !== '' && normalizeName(p.firstGivenName) !== first) {
    out.push(issue('error', 'FIRST_NAME_NOT_FIRST_OF_LIST', 'patient.firstGivenName', 'The first birth first name is not the first name of the list of birth first names.'));
  }
  return out;
};

const comparisonIssues = (c: TraitComparison): Issue[] => {
  const out: Issue[] = [];
  for (const t of c.traits) {
    if (t.verdict !== 'consistent') {
      out.push(issue(t.verdict === 'inconsistent' ? 'error' : 'warning', `TRAIT_${t.reason}`, `patient.${t.trait}`, `Compared with the INS traits on record: ${t.explanation}`));
    }
  }
  for (const o of c.overall) {
    out.push(issue(o.verdict === 'inconsistent' ? 'error' : 'warning', `TRAIT_${o.reason}`, 'patient', o.explanation));
  }
  return out;
};

/**
 * Decide whether a report's identity may go on to the document builder and the DMP. Collects every reason.
 * Any error or warning holds; information issues do not.
 */
export const evaluateIdentity = (patient: PatientIdentity, ctx: IdentityGateContext): IdentityDecision => {
  const rules = ctx.rules ?? CURRENT_IDENTITY_RULES;
  const reasons: Issue[] = [];
  const insi = mayQueryInsi(patient);
  if (!insi.ok) {
    reasons.push(issue('error', insi.code, 'patient.attributes', insi.reason));
  }
  if (patient.status !== 'QUAL') {
    reasons.push(issue('error', 'IDENTITY_NOT_QUALIFIED', 'patient.status', `The identity status is ${patient.status}, not QUAL: only a qualified identity may be sent to the DMP (the gateway never qualifies one itself).`));
  }
  if (patient.status === 'QUAL' && !patient.evidence) {
    reasons.push(issue(ctx.requireEvidence ? 'error' : 'information', 'IDENTITY_EVIDENCE_MISSING', 'patient.evidence', 'The identity is QUAL but the ID document checked at reception is not given.'));
  }
  reasons.push(...strictTraitIssues(patient));
  let comparison: TraitComparison | undefined;
  if (!patient.ins) {
    reasons.push(issue('error', 'INS_MISSING', 'patient.ins', 'The report carries no INS (matricule + OID).'));
  } else {
    const oid = checkInsOid(patient.ins.oid, ctx.acceptedOids);
    if (!oid.ok) {
      reasons.push(issue('error', oid.code, 'patient.ins.oid', oid.reason));
    }
    const nir = checkNir(patient.ins.value);
    for (const p of nir.problems) {
      reasons.push(issue('error', p.code, 'patient.ins.value', NIR_MESSAGES[p.code]));
    }
    if (nir.parts) {
      reasons.push(...nirTraitConsistency(nir.parts, patient));
    }
    if (ctx.knownInsTraits?.ins !== undefined && nir.normalized !== undefined && ctx.knownInsTraits.ins.replace(/\s+/g, '').toUpperCase() !== nir.normalized) {
      reasons.push(issue('error', 'INS_DIFFERS_FROM_RECORD', 'patient.ins.value', 'The matricule INS differs from the one on record for this patient.'));
    }
  }
  if (ctx.knownInsTraits) {
    comparison = compareTraits(patient, ctx.knownInsTraits, rules);
    reasons.push(...comparisonIssues(comparison));
  }
  const confirmed = new Set(ctx.confirmedCodes ?? []);
  for (const [i, r] of reasons.entries()) {
    if (r.severity === 'warning' && confirmed.has(r.code)) {
      reasons[i] = { ...r, severity: 'information', message: `Confirmed by identity-vigilance staff: ${r.message}` };
    }
  }
  const hold = reasons.some((r) => r.severity !== 'information');
  return comparison
    ? { outcome: hold ? 'hold' : 'pass', reasons, comparison, rulesVersion: rules.version }
    : { outcome: hold ? 'hold' : 'pass', reasons, rulesVersion: rules.version };
};
