import type { Issue } from '../validation/issue.js';
import type { TraitComparison } from './compare.js';

/** What the identity gate decided for one report (issue 4). `pass` only for a QUAL, consistent identity. */
export interface IdentityDecision {
  readonly outcome: 'pass' | 'hold';
  readonly reasons: readonly Issue[];
  /** The trait-by-trait comparison with the INS traits on record, when there were some. */
  readonly comparison?: TraitComparison;
  /** Version of the comparison rules that produced this decision (rules.ts). */
  readonly rulesVersion?: string;
}
