/**
 * Automated INS qualification checks: for each identity, ask INSi (with the first-name strategy), compare the
 * INS traits with the local ones trait by trait, and say what staff may do (standards.md §1.5, §2.2). The
 * gateway recommends; it never sets a status. DOUT / FICT identities are never sent to INSi.
 */
import { GatewayError, isGatewayError } from '../core/errors/index.js';
import type { ComparableTraits, TraitName } from '../core/ins/compare.js';
import { mayQueryInsi } from '../core/ins/gate.js';
import { normalizeName } from '../core/ins/normalize.js';
import { recommendQualification, type InsiOutcome, type Recommendation } from '../core/ins/qualification.js';
import type { Verdict } from '../core/ins/rules.js';
import { CURRENT_IDENTITY_RULES } from '../core/ins/rules.js';
import type { CheckRow } from './identity-check-input.js';

/** What the app needs from an INSi client (src/adapters/insi/client.ts InsiClient fits). */
export interface InsiSearchPort {
  search(traits: { birthName: string; birthGivenNames: string; sex: 'M' | 'F'; birthDate: string; birthPlaceCog?: string }): Promise<{
    readonly answer: { readonly code: '00'; readonly ins: { readonly value: string; readonly oid: string }; readonly traits: ComparableTraits } | { readonly code: '01' | '02' };
    readonly exchanges: readonly unknown[];
  }>;
}

export interface TraitResult {
  readonly trait: TraitName;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly explanation: string;
}

export interface CheckResult {
  readonly id: string;
  /** 00 / 01 / 02, or null when INSi was not asked or failed. */
  readonly insiCode: '00' | '01' | '02' | null;
  readonly calls: number;
  readonly ins?: string;
  readonly insOid?: string;
  /** The INS traits INSi returned (00), to keep on record; not in the CSV. */
  readonly insiTraits?: ComparableTraits;
  readonly decision?: Verdict;
  readonly traits: readonly TraitResult[];
  readonly recommendation: Recommendation;
  readonly explanation: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly rulesVersion: string;
}

export interface CheckDeps {
  readonly insi: InsiSearchPort;
  /** Called after each identity (audit, progress). */
  readonly onResult?: (row: CheckRow, result: CheckResult) => Promise<void>;
}

export const checkOne = async (row: CheckRow, deps: CheckDeps): Promise<CheckResult> => {
  const c = row.identity;
  const base = { id: row.id, traits: [] as TraitResult[], rulesVersion: CURRENT_IDENTITY_RULES.version };
  const may = mayQueryInsi(c);
  if (!may.ok || c.sex === 'U') {
    const explanation = may.ok ? 'The sex is unknown: INSi needs M or F.' : may.reason;
    return { ...base, insiCode: null, calls: 0, recommendation: 'NOT_QUERIED', explanation };
  }
  let outcome: InsiOutcome;
  let calls = 0;
  try {
    // INSi takes traits in upper case without diacritics (standards.md §2.4).
    const r = await deps.insi.search({
      birthName: normalizeName(c.birthName),
      birthGivenNames: normalizeName(c.birthGivenNames),
      sex: c.sex,
      birthDate: c.birthDate,
      ...(c.birthPlaceCog ? { birthPlaceCog: c.birthPlaceCog.trim().toUpperCase() } : {}),
    });
    calls = r.exchanges.length;
    outcome = r.answer.code === '00' ? { kind: 'answer', code: '00', ins: r.answer.ins.value, oid: r.answer.ins.oid, traits: r.answer.traits } : { kind: 'answer', code: r.answer.code };
  } catch (e) {
    const err = isGatewayError(e) ? e : new GatewayError('INSI_UNAVAILABLE', 'INSi call failed.');
    outcome = { kind: 'error', code: err.code, message: err.message };
  }
  const advice = recommendQualification(c, outcome);
  return {
    ...base,
    insiCode: outcome.kind === 'answer' ? outcome.code : null,
    calls,
    ...(outcome.kind === 'answer' && outcome.code === '00' ? { ins: outcome.ins, insOid: outcome.oid, insiTraits: outcome.traits } : {}),
    ...(advice.comparison ? { decision: advice.comparison.decision } : {}),
    traits: advice.comparison ? advice.comparison.traits.map((t) => ({ trait: t.trait, verdict: t.verdict, reason: t.reason, explanation: t.explanation })) : [],
    recommendation: advice.recommendation,
    explanation: advice.explanation,
    ...(outcome.kind === 'error' ? { error: { code: outcome.code, message: outcome.message } } : {}),
  };
};

/** Check every row, one after the other (INSi is a shared national service: no bursts). */
export const runInsChecks = async (rows: readonly CheckRow[], deps: CheckDeps): Promise<CheckResult[]> => {
  const out: CheckResult[] = [];
  for (const row of rows) {
    const r = await checkOne(row, deps);
    out.push(r);
    if (deps.onResult) {
      await deps.onResult(row, r);
    }
  }
  return out;
};

const TRAIT_COLUMNS: readonly TraitName[] = ['birthName', 'birthGivenNames', 'firstGivenName', 'sex', 'birthDate', 'birthPlaceCog'];

const csvField = (v: string): string => (/[",;\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One CSV line per identity; each trait column holds `verdict:REASON`. */
export const checkResultsToCsv = (results: readonly CheckResult[]): string => {
  const header = ['id', 'insiCode', 'ins', 'insOid', 'recommendation', 'decision', ...TRAIT_COLUMNS, 'explanation', 'errorCode', 'rulesVersion'];
  const lines = results.map((r) => {
    const byTrait = new Map(r.traits.map((t) => [t.trait, `${t.verdict}:${t.reason}`]));
    return [r.id, r.insiCode ?? '', r.ins ?? '', r.insOid ?? '', r.recommendation, r.decision ?? '', ...TRAIT_COLUMNS.map((t) => byTrait.get(t) ?? ''), r.explanation, r.error?.code ?? '', r.rulesVersion]
      .map(csvField)
      .join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
};
