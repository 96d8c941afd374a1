/**
 * Trait-by-trait comparison of an identity with the INS traits on record (the INSi answer), classifying
 * every difference with a reason (rules.ts) and giving one decision: consistent / needs review /
 * inconsistent. Explanations carry no patient data, so they can go to logs, issues and the audit trail.
 */
import {
  canonicalSeparators,
  editDistance,
  foldConfusables,
  givenNameTokens,
  looseKey,
  normalizeName,
} from './normalize.js';
import { CURRENT_IDENTITY_RULES, type IdentityRules, type TraitReason, type Verdict } from './rules.js';

export type TraitName = 'birthName' | 'birthGivenNames' | 'firstGivenName' | 'sex' | 'birthDate' | 'birthPlaceCog';

export interface ComparableTraits {
  readonly birthName: string;
  /** Space-separated list of birth first names. */
  readonly birthGivenNames: string;
  /** First birth first name; the first token of the list when absent. */
  readonly firstGivenName?: string;
  readonly sex: 'M' | 'F' | 'U';
  /** YYYY-MM-DD, 00 for an unknown day or month (also YYYY or YYYY-MM). */
  readonly birthDate: string;
  readonly birthPlaceCog?: string;
  /** Used name, when known (only on the report side). */
  readonly usedName?: string;
}

export interface TraitVerdict {
  readonly trait: TraitName;
  readonly verdict: Verdict;
  readonly reason: TraitReason;
  readonly explanation: string;
}

export interface TraitComparison {
  readonly rulesVersion: string;
  readonly decision: Verdict;
  readonly traits: readonly TraitVerdict[];
  /** Findings about the identity as a whole (e.g. DIFFERENT_PERSON). */
  readonly overall: readonly { readonly reason: TraitReason; readonly verdict: Verdict; readonly explanation: string }[];
}

const RANK: Readonly<Record<Verdict, number>> = { consistent: 0, needs_review: 1, inconsistent: 2 };
export const worst = (verdicts: readonly Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((w, v) => (RANK[v] > RANK[w] ? v : w), 'consistent');

interface Finding {
  readonly reason: TraitReason;
  readonly explanation: string;
}

const tokensOf = (normalized: string): string[] => normalized.split(/--|-|'| /).filter((t) => t !== '');

/** Compare two names (a birth name, a first-name list or one first name). */
export const compareNames = (local: string, reference: string, what: string, rules: IdentityRules): Finding => {
  if (local === reference) {
    return { reason: 'EXACT', explanation: `The ${what} is identical.` };
  }
  const a = normalizeName(local);
  const b = normalizeName(reference);
  if (a === '') {
    return { reason: 'MISSING', explanation: `The ${what} is missing.` };
  }
  if (a === b) {
    return { reason: 'BENIGN_NORMALISATION', explanation: `The ${what} is the same once case, accents, apostrophes and spaces are normalised.` };
  }
  if (canonicalSeparators(a, rules) === canonicalSeparators(b, rules)) {
    return { reason: 'BENIGN_NORMALISATION', explanation: `The ${what} differs only by a double hyphen written as a single hyphen.` };
  }
  const la = looseKey(a);
  const lb = looseKey(b);
  if (la === lb) {
    return { reason: 'SEPARATOR_VARIANT', explanation: `The ${what} has the same letters but other separators (hyphen, space or apostrophe); a hyphen may join one compound name or separate two.` };
  }
  if (foldConfusables(la, rules) === foldConfusables(lb, rules)) {
    return { reason: 'CHARACTER_CONFUSION', explanation: `The ${what} differs by look-alike characters (I/l/1, O/0, S/5, B/8).` };
  }
  const ta = tokensOf(canonicalSeparators(a, rules));
  const tb = tokensOf(canonicalSeparators(b, rules));
  if (ta.length > 1 && ta.length === tb.length && [...ta].sort().join(' ') === [...tb].sort().join(' ')) {
    return { reason: 'COMPOUND_NAME_ORDER', explanation: `The ${what} has the same parts in another order.` };
  }
  if (Math.min(la.length, lb.length) >= rules.typo.minLength && editDistance(la, lb) <= rules.typo.maxDistance) {
    return { reason: 'LIKELY_TYPO', explanation: `The ${what} differs by one character (likely a typing error).` };
  }
  return { reason: 'DIFFERENT', explanation: `The ${what} is different.` };
};

const compareBirthName = (local: ComparableTraits, ref: ComparableTraits, rules: IdentityRules): Finding => {
  const f = compareNames(local.birthName, ref.birthName, 'birth name', rules);
  if (f.reason === 'DIFFERENT' || f.reason === 'LIKELY_TYPO' || f.reason === 'MISSING') {
    if (local.usedName !== undefined && normalizeName(local.usedName) === normalizeName(ref.birthName)) {
      return { reason: 'BIRTH_VS_USED_NAME', explanation: 'The report has the INS birth name as its used name and another name as birth name (birth and used names swapped?).' };
    }
  }
  return f;
};

const compareGivenList = (local: ComparableTraits, ref: ComparableTraits, rules: IdentityRules): Finding => {
  const f = compareNames(local.birthGivenNames, ref.birthGivenNames, 'list of birth first names', rules);
  if (f.reason !== 'DIFFERENT' && f.reason !== 'LIKELY_TYPO') {
    return f;
  }
  const l = givenNameTokens(local.birthGivenNames).map((t) => canonicalSeparators(t, rules));
  const r = givenNameTokens(ref.birthGivenNames).map((t) => canonicalSeparators(t, rules));
  if (l.length === 1 && r.length > 1 && l[0] === r[0]) {
    return { reason: 'FIRST_NAME_LIST_VS_FIRST', explanation: 'The report gives only the first birth first name where the INS has the full list.' };
  }
  if (l.length === 1 && r.length > 1 && r.includes(l[0] ?? '')) {
    return { reason: 'FIRST_NAME_LIST_VS_FIRST', explanation: 'The report gives one of the birth first names, but not the first one, where the INS has the full list (a usual first name?).' };
  }
  if (l.length > 0 && l.length !== r.length && (l.every((t, i) => r[i] === t) || r.every((t, i) => l[i] === t))) {
    return { reason: 'FIRST_NAMES_INCOMPLETE', explanation: 'The lists of birth first names agree but one of them has more first names.' };
  }
  if (l.length > 1 && l.length === r.length && [...l].sort().join(' ') === [...r].sort().join(' ')) {
    return { reason: 'COMPOUND_NAME_ORDER', explanation: 'The birth first names are the same but in another order.' };
  }
  return f;
};

const compareFirstGiven = (local: ComparableTraits, ref: ComparableTraits, rules: IdentityRules): Finding => {
  const lFirst = local.firstGivenName ?? local.birthGivenNames.trim().split(/\s+/)[0] ?? '';
  const rTokens = givenNameTokens(ref.birthGivenNames);
  const rFirst = ref.firstGivenName ?? rTokens[0] ?? '';
  const f = compareNames(lFirst, rFirst, 'first birth first name', rules);
  const parts = (v: string) => canonicalSeparators(normalizeName(v), rules).split('-');
  const [lp, rp] = [parts(lFirst), parts(rFirst)];
  const [shorter, longer] = lp.length < rp.length ? [lp, rp] : [rp, lp];
  if (f.reason === 'DIFFERENT' && shorter.length < longer.length && shorter.every((t, i) => longer[i] === t)) {
    return { reason: 'SEPARATOR_VARIANT', explanation: 'The first birth first name is part of a hyphenated first name on the other side (a hyphen written as a space?).' };
  }
  if (f.reason === 'DIFFERENT' && rTokens.slice(1).includes(normalizeName(lFirst))) {
    return { reason: 'FIRST_NAME_LIST_VS_FIRST', explanation: 'The first first name of the report is another first name of the INS list (a usual first name used as first name?).' };
  }
  return f;
};

const compareSex = (local: ComparableTraits, ref: ComparableTraits): Finding => {
  if (local.sex === ref.sex) {
    return { reason: 'EXACT', explanation: 'The sex is identical.' };
  }
  if (local.sex === 'U' || ref.sex === 'U') {
    return { reason: 'MISSING', explanation: 'The sex is unknown on one side.' };
  }
  return { reason: 'SEX_MISMATCH', explanation: 'The sex differs.' };
};

/** YYYY-MM-DD with 00 for unknown parts; YYYY and YYYY-MM are padded with 00. */
export const datePartsOf = (date: string): { y: string; m: string; d: string } | undefined => {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(date.trim());
  if (!m) {
    return undefined;
  }
  return { y: m[1] ?? '0000', m: m[2] ?? '00', d: m[3] ?? '00' };
};

const compareBirthDate = (local: ComparableTraits, ref: ComparableTraits): Finding => {
  const a = datePartsOf(local.birthDate);
  const b = datePartsOf(ref.birthDate);
  if (!a || !b) {
    return { reason: 'MISSING', explanation: 'The birth date is missing or unreadable on one side.' };
  }
  if (a.y === b.y && a.m === b.m && a.d === b.d) {
    return { reason: 'EXACT', explanation: 'The birth date is identical.' };
  }
  const partOk = (x: string, y: string) => x === y || x === '00' || y === '00';
  if (a.y === b.y && partOk(a.m, b.m) && partOk(a.d, b.d)) {
    return { reason: 'UNKNOWN_DATE_PART', explanation: 'The birth dates agree except for a day or month that is unknown (00) on one side.' };
  }
  if (a.y === b.y && a.m === b.d && a.d === b.m) {
    return { reason: 'TRANSPOSED_DATE_PARTS', explanation: 'The day and month of the birth date are swapped.' };
  }
  if (editDistance(a.y + a.m + a.d, b.y + b.m + b.d) <= 1) {
    return { reason: 'LIKELY_TYPO', explanation: 'The birth date differs by one digit or two adjacent digits swapped (likely a typing error).' };
  }
  return { reason: 'DIFFERENT', explanation: 'The birth date is different.' };
};

const departmentOf = (cog: string): string => (cog.startsWith('97') || cog.startsWith('98') ? cog.slice(0, 3) : cog.slice(0, 2));

const compareBirthPlace = (local: ComparableTraits, ref: ComparableTraits, rules: IdentityRules): Finding => {
  const a = (local.birthPlaceCog ?? '').trim().toUpperCase();
  const b = (ref.birthPlaceCog ?? '').trim().toUpperCase();
  if (a === '' || b === '') {
    return { reason: 'MISSING', explanation: 'The birth place code (COG) is missing on one side.' };
  }
  if (a === b) {
    return { reason: 'EXACT', explanation: 'The birth place code is identical.' };
  }
  if (foldConfusables(a, rules) === foldConfusables(b, rules)) {
    return { reason: 'CHARACTER_CONFUSION', explanation: 'The birth place code differs by look-alike characters.' };
  }
  const corsica = (x: string, y: string) => x.startsWith('20') && (y.startsWith('2A') || y.startsWith('2B'));
  if (corsica(a, b) || corsica(b, a)) {
    return { reason: 'SAME_DEPARTMENT_OTHER_COMMUNE', explanation: 'The birth place is in Corsica, written with the code 20 on one side and 2A/2B on the other.' };
  }
  if (departmentOf(a) === departmentOf(b) && !a.startsWith('99')) {
    return { reason: 'SAME_DEPARTMENT_OTHER_COMMUNE', explanation: 'The birth place is in the same département but another commune (a merged or renamed commune?).' };
  }
  return { reason: 'DIFFERENT', explanation: a.startsWith('99') || b.startsWith('99') ? 'The birth place differs (country or France vs abroad).' : 'The birth place is in another département.' };
};

/**
 * Compare the report's identity (`local`) with the INS traits on record (`reference`, e.g. the TIQ of an
 * INSi answer). The report's used name is used to recognise a birth name / used name mix-up.
 */
export const compareTraits = (
  local: ComparableTraits,
  reference: ComparableTraits,
  rules: IdentityRules = CURRENT_IDENTITY_RULES,
): TraitComparison => {
  const findings: [TraitName, Finding][] = [
    ['birthName', compareBirthName(local, reference, rules)],
    ['birthGivenNames', compareGivenList(local, reference, rules)],
    ['firstGivenName', compareFirstGiven(local, reference, rules)],
    ['sex', compareSex(local, reference)],
    ['birthDate', compareBirthDate(local, reference)],
    ['birthPlaceCog', compareBirthPlace(local, reference, rules)],
  ];
  const traits: TraitVerdict[] = findings.map(([trait, f]) => ({ trait, verdict: rules.verdicts[f.reason], reason: f.reason, explanation: f.explanation }));
  const overall: { reason: TraitReason; verdict: Verdict; explanation: string }[] = [];
  const byTrait = new Map(traits.map((t) => [t.trait, t]));
  const hard = (t: TraitName) => {
    const r = byTrait.get(t)?.reason;
    return r === 'DIFFERENT' || r === 'SEX_MISMATCH';
  };
  const a = datePartsOf(local.birthDate);
  const b = datePartsOf(reference.birthDate);
  const yearGap = a && b ? Math.abs(Number(a.y) - Number(b.y)) : 0;
  const sameFamily = byTrait.get('birthName')?.verdict !== 'inconsistent';
  if (sameFamily && hard('firstGivenName') && yearGap >= rules.generationGapYears) {
    overall.push({ reason: 'DIFFERENT_PERSON', verdict: rules.verdicts.DIFFERENT_PERSON, explanation: 'Same family name but another first name and a birth year a generation apart: the identity of a relative (a parent on a child\'s report?).' });
  } else if ((['birthName', 'firstGivenName', 'sex', 'birthDate'] as const).filter(hard).length >= 2) {
    overall.push({ reason: 'DIFFERENT_PERSON', verdict: rules.verdicts.DIFFERENT_PERSON, explanation: 'Several strict traits are different: this looks like another person.' });
  }
  const decision = worst([...traits.map((t) => t.verdict), ...overall.map((o) => o.verdict)]);
  return { rulesVersion: rules.version, decision, traits, overall };
};
