/**
 * Identity comparison rules that may change (with the lab's identity-vigilance lead, or with a new RNIV
 * version) are data, versioned. A comparison result names the rules version that produced it, so an
 * audited decision can be explained later with the rules of the day.
 */
export type Verdict = 'consistent' | 'needs_review' | 'inconsistent';

/** Why a trait differs (or not). */
export type TraitReason =
  | 'EXACT'
  | 'BENIGN_NORMALISATION'
  | 'SEPARATOR_VARIANT'
  | 'FIRST_NAME_LIST_VS_FIRST'
  | 'FIRST_NAMES_INCOMPLETE'
  | 'COMPOUND_NAME_ORDER'
  | 'BIRTH_VS_USED_NAME'
  | 'LIKELY_TYPO'
  | 'CHARACTER_CONFUSION'
  | 'TRANSPOSED_DATE_PARTS'
  | 'UNKNOWN_DATE_PART'
  | 'SAME_DEPARTMENT_OTHER_COMMUNE'
  | 'MISSING'
  | 'SEX_MISMATCH'
  | 'DIFFERENT_PERSON'
  | 'DIFFERENT';

export interface IdentityRules {
  readonly version: string;
  /** Verdict for each reason. */
  readonly verdicts: Readonly<Record<TraitReason, Verdict>>;
  /** Separator forms read as the same before comparing (applied in order). */
  readonly equivalentSeparators: readonly (readonly [string, string])[];
  /** Look-alike characters folded to one representative (OCR / keyboard confusions). */
  readonly confusables: Readonly<Record<string, string>>;
  /** Largest edit distance still called a likely typo, by normalised length (≥ minLength). */
  readonly typo: { readonly maxDistance: number; readonly minLength: number };
  /**
   * A parent's identity on a child's report: same birth name, other first name, birth years at least this
   * many years apart.
   */
  readonly generationGapYears: number;
}

export const IDENTITY_RULES_V1: IdentityRules = {
  version: 'identity-rules/2026-11-25.1',
  verdicts: {
    EXACT: 'consistent',
    BENIGN_NORMALISATION: 'consistent',
    SEPARATOR_VARIANT: 'needs_review',
    FIRST_NAME_LIST_VS_FIRST: 'needs_review',
    FIRST_NAMES_INCOMPLETE: 'needs_review',
    COMPOUND_NAME_ORDER: 'needs_review',
    BIRTH_VS_USED_NAME: 'needs_review',
    LIKELY_TYPO: 'needs_review',
    CHARACTER_CONFUSION: 'needs_review',
    TRANSPOSED_DATE_PARTS: 'needs_review',
    UNKNOWN_DATE_PART: 'needs_review',
    SAME_DEPARTMENT_OTHER_COMMUNE: 'needs_review',
    MISSING: 'needs_review',
    SEX_MISMATCH: 'inconsistent',
    DIFFERENT_PERSON: 'inconsistent',
    DIFFERENT: 'inconsistent',
  },
  // The double hyphen (double family names, civil-status form 2005–2011) and the single hyphen are one join.
  equivalentSeparators: [['--', '-']],
  confusables: { '0': 'O', '1': 'I', L: 'I', '|': 'I', '5': 'S', '8': 'B' },
  typo: { maxDistance: 1, minLength: 4 },
  generationGapYears: 14,
};

export const CURRENT_IDENTITY_RULES = IDENTITY_RULES_V1;
