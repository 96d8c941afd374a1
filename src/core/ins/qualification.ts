/**
 * Automated qualification checks: from an INSi answer, what may the lab's identity-vigilance staff do with
 * an identity? RNIV: an INSi match whose traits agree allows RECUP; QUAL also needs a high-trust ID document
 * checked at reception, so the gateway only recommends, it never sets a status (standards.md §1.5).
 */
import type { IdentityEvidence, IdentityAttribute, IdentityStatus } from '../report/model.js';
import { compareTraits, type ComparableTraits, type TraitComparison } from './compare.js';
import { mayQueryInsi } from './gate.js';
import { checkNir } from './nir.js';
import { CURRENT_IDENTITY_RULES, type IdentityRules } from './rules.js';

export type Recommendation =
  | 'CAN_BECOME_RECUP'
  | 'CAN_BECOME_QUAL'
  | 'ALREADY_QUALIFIED'
  | 'MISMATCH'
  | 'NEEDS_REVIEW'
  | 'NOT_FOUND'
  | 'SEVERAL_FOUND'
  | 'NOT_QUERIED'
  | 'ERROR';

/** The identity as the SIL holds it. */
export interface CandidateIdentity extends ComparableTraits {
  readonly status: IdentityStatus;
  readonly attributes: readonly IdentityAttribute[];
  readonly evidence?: IdentityEvidence;
  /** The INS the SIL already holds (15 characters), if any. */
  readonly ins?: string;
}

/** What INSi answered (or why it could not). */
export type InsiOutcome =
  | { readonly kind: 'answer'; readonly code: '00'; readonly ins: string; readonly oid: string; readonly traits: ComparableTraits }
  | { readonly kind: 'answer'; readonly code: '01' | '02' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface QualificationAdvice {
  readonly recommendation: Recommendation;
  readonly explanation: string;
  readonly comparison?: TraitComparison;
}

export const recommendQualification = (
  candidate: CandidateIdentity,
  outcome: InsiOutcome | undefined,
  rules: IdentityRules = CURRENT_IDENTITY_RULES,
): QualificationAdvice => {
  const may = mayQueryInsi(candidate);
  if (!may.ok) {
    return { recommendation: 'NOT_QUERIED', explanation: may.reason };
  }
  if (!outcome) {
    return { recommendation: 'NOT_QUERIED', explanation: 'INSi was not queried.' };
  }
  if (outcome.kind === 'error') {
    return { recommendation: 'ERROR', explanation: `INSi could not answer (${outcome.code}): ${outcome.message}` };
  }
  if (outcome.code === '01') {
    return { recommendation: 'NOT_FOUND', explanation: 'INSi found no identity (01), even after trying each first name: check the traits against the ID document and query again.' };
  }
  if (outcome.code !== '00') {
    return { recommendation: 'SEVERAL_FOUND', explanation: 'INSi found several identities (02): add the other first names from the ID document, then the birth place code, and query again.' };
  }
  const comparison = compareTraits(candidate, outcome.traits, rules);
  const returned = checkNir(outcome.ins);
  if (!returned.valid) {
    return { recommendation: 'NEEDS_REVIEW', explanation: `INSi returned a matricule that does not pass the checks (${returned.problems.map((p) => p.code).join(', ')}); report it, do not correct it.`, comparison };
  }
  if (comparison.decision === 'inconsistent') {
    return { recommendation: 'MISMATCH', explanation: 'INSi returned an identity whose traits disagree with the local identity: see the trait verdicts.', comparison };
  }
  if (comparison.decision === 'needs_review') {
    return { recommendation: 'NEEDS_REVIEW', explanation: 'INSi returned an identity close to the local one; a person must look at the trait verdicts before using it.', comparison };
  }
  if (candidate.ins !== undefined && candidate.ins.replace(/\s+/g, '').toUpperCase() !== returned.normalized) {
    return { recommendation: 'MISMATCH', explanation: 'The traits agree but INSi returned another matricule than the one the SIL holds (a merged or replaced INS?).', comparison };
  }
  if (candidate.status === 'QUAL') {
    return { recommendation: 'ALREADY_QUALIFIED', explanation: 'The identity is already qualified and agrees with INSi.', comparison };
  }
  if (candidate.evidence) {
    return { recommendation: 'CAN_BECOME_QUAL', explanation: 'INSi agrees and an ID-document check is recorded: staff may set the identity to QUAL in the SIL.', comparison };
  }
  return { recommendation: 'CAN_BECOME_RECUP', explanation: 'INSi agrees: the identity can become RECUP; QUAL needs a high-trust ID-document check at reception.', comparison };
};
