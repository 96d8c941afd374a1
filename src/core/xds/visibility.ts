/**
 * Whether and how a report goes to the DMP: patient opposition, the SIL's DMP flags and the lab's per-LOINC
 * visibility rules (standards.md §4.7, §5). The HL7 v2 flag INVISIBLE_REP_LEGAUX is the XDS code
 * INVISIBLE_REPRESENTANTS_LEGAUX.
 */
import type { LabReport } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';
import { VISIBILITY_CODES, type VisibilityCode } from './constants.js';

/** A lab rule: results with this LOINC code make the whole document carry these visibility codes. */
export interface VisibilityRule {
  readonly loinc: string;
  readonly codes: readonly VisibilityCode[];
}

/**
 * Reads rules written `LOINC=CODE[+CODE…]`, e.g. `94500-6=INVISIBLE_PATIENT` or
 * `7918-6=INVISIBLE_PATIENT+INVISIBLE_REPRESENTANTS_LEGAUX` (setting dmp.visibilityRules).
 */
export const parseVisibilityRules = (items: readonly string[]): { rules: VisibilityRule[]; issues: Issue[] } => {
  const rules: VisibilityRule[] = [];
  const issues: Issue[] = [];
  items.forEach((item, i) => {
    const m = /^\s*([0-9]{1,7}-[0-9])\s*=\s*([A-Z_+\s]+)$/.exec(item);
    const codes = m?.[2]?.split('+').map((c) => c.trim()) ?? [];
    const bad = codes.filter((c) => !(VISIBILITY_CODES as readonly string[]).includes(c));
    if (!m || codes.length === 0 || bad.length > 0) {
      issues.push(issue('error', 'CONFIG_INVALID', `dmp.visibilityRules[${i}]`,
        `expected LOINC=CODE[+CODE] with CODE among ${VISIBILITY_CODES.join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}`));
      return;
    }
    rules.push({ loinc: m[1] as string, codes: codes as VisibilityCode[] });
  });
  return { rules, issues };
};

/** LOINC codes of every result and battery of the report (local codes are not matched). */
const loincCodes = (report: LabReport): Set<string> => {
  const out = new Set<string>();
  const LOINC = '2.16.840.1.113883.6.1';
  for (const b of report.batteries) {
    if (b.code.system === LOINC) {
      out.add(b.code.code);
    }
    for (const o of [...b.observations, ...b.isolates.flatMap((i) => i.observations)]) {
      if (o.code.system === LOINC) {
        out.add(o.code.code);
      }
    }
  }
  return out;
};

/** Visibility codes for the DocumentEntry, in the order of VISIBILITY_CODES. */
export const decideVisibility = (report: LabReport, rules: readonly VisibilityRule[]): VisibilityCode[] => {
  const set = new Set<VisibilityCode>();
  const f = report.flags;
  if (f.invisibleToPatient) {
    set.add('INVISIBLE_PATIENT');
  }
  if (f.invisibleToLegalRepresentatives) {
    set.add('INVISIBLE_REPRESENTANTS_LEGAUX');
  }
  if (f.maskedFromProfessionals) {
    set.add('MASQUE_PS');
  }
  const codes = loincCodes(report);
  for (const r of rules) {
    if (codes.has(r.loinc)) {
      r.codes.forEach((c) => set.add(c));
    }
  }
  return VISIBILITY_CODES.filter((c) => set.has(c));
};

export type DeliveryDecision =
  | { readonly kind: 'opposed'; readonly reason: string }
  | { readonly kind: 'not_requested'; readonly reason: string }
  | { readonly kind: 'send'; readonly visibility: readonly VisibilityCode[] };

/** Patient opposition wins over everything: nothing is sent (transmission state `opposed`). */
export const decideDelivery = (report: LabReport, rules: readonly VisibilityRule[]): DeliveryDecision => {
  if (report.flags.patientOpposed) {
    return { kind: 'opposed', reason: 'The patient opposed feeding the DMP; nothing is sent.' };
  }
  if (!report.flags.sendToDmp) {
    return { kind: 'not_requested', reason: 'The SIL did not ask for DMP feeding (DESTDMP).' };
  }
  return { kind: 'send', visibility: decideVisibility(report, rules) };
};
