/**
 * Result entries of CR-BIO 2024.01 (standards.md §3.3): the observation (IHE PaLM 1.3.6.1.4.1.19376.1.3.1.6 +
 * CI-SIS 1.2.250.1.213.1.1.3.80) with its code, value, interpretation, reference range and previous results.
 */
import type { Code, Observation, ReferenceRange, ResultValue } from '../report/model.js';
import { issue, type Issue } from '../validation/issue.js';
import { INTERPRETATIONS, OID_INTERPRETATION } from './codes.js';
import { LOINC, toDecimal, ts } from './datatypes.js';
import { el, type XElement } from './xml.js';

export interface EntryContext {
  readonly issues: Issue[];
  /** Default effective time of results (specimen collection). */
  readonly defaultTime?: string;
}

const originalText = (ref: string | undefined): XElement | undefined =>
  ref ? el('originalText', {}, el('reference', { value: `#${ref}` })) : undefined;

const translation = (c: Code): XElement => el('translation', { code: c.code, displayName: c.display ?? c.code, codeSystem: c.system });

/**
 * A LOINC code with code, displayName and codeSystem; otherwise a code without attributes whose translation
 * carries the national waiting code (1.2.250.1.213.1.1.5.130) or the lab's local code.
 */
export const resultCode = (o: Observation, ref: string | undefined, ctx: EntryContext, path: string): XElement => {
  if (o.code.system === LOINC) {
    const display = o.code.display ?? o.localCode?.display;
    if (!display) {
      ctx.issues.push(issue('warning', 'CDA_LOINC_DISPLAY_MISSING', `${path}/code`, `LOINC code ${o.code.code} has no display name; the code itself is used.`));
    }
    return el(
      'code',
      { code: o.code.code, displayName: display ?? o.code.code, codeSystem: LOINC, codeSystemName: 'LOINC' },
      originalText(ref),
      o.localCode ? translation(o.localCode) : undefined,
    );
  }
  return el('code', {}, originalText(ref), translation(o.localCode ?? o.code));
};

const UCUM_SAFE = /^[!-~]+$/;

const pq = (name: string, value: string | undefined, unit: string, ctx: EntryContext, path: string, extra: Record<string, string> = {}): XElement | undefined => {
  if (value === undefined) {
    return undefined;
  }
  const v = toDecimal(value);
  if (v === undefined) {
    ctx.issues.push(issue('error', 'CDA_VALUE_NOT_NUMERIC', path, 'A quantity is not a decimal number.'));
    return el(name, { nullFlavor: 'OTH' });
  }
  const u = unit.trim();
  if (u !== '' && !UCUM_SAFE.test(u)) {
    ctx.issues.push(issue('error', 'CDA_UNIT_INVALID', path, `Unit "${u}" is not a UCUM unit (UCUM units have no spaces).`));
  }
  return el(name, { ...extra, value: v, unit: u === '' ? undefined : u.replace(/\s+/g, '') });
};

/** value: PQ, IVL_PQ (comparators and ranges), CD or ST. */
export const resultValue = (v: ResultValue | undefined, ctx: EntryContext, path: string): XElement | undefined => {
  if (!v) {
    return undefined;
  }
  const vp = `${path}/value`;
  switch (v.type) {
    case 'quantity': {
      if (!v.comparator) {
        return pq('value', v.value, v.unit, ctx, vp, { 'xsi:type': 'PQ' });
      }
      const inclusive = v.comparator === '<=' || v.comparator === '>=' ? 'true' : 'false';
      const bound = v.comparator.startsWith('<') ? 'high' : 'low';
      return el('value', { 'xsi:type': 'IVL_PQ' }, pq(bound, v.value, v.unit, ctx, vp, { inclusive }));
    }
    case 'range':
      return el('value', { 'xsi:type': 'IVL_PQ' }, pq('low', v.low, v.unit, ctx, vp), pq('high', v.high, v.unit, ctx, vp));
    case 'coded':
      return el('value', { 'xsi:type': 'CD', code: v.code.code, displayName: v.code.display, codeSystem: v.code.system });
    case 'text':
      return el('value', { 'xsi:type': 'ST' }, v.text);
  }
};

export const interpretationCodes = (codes: readonly string[], ctx: EntryContext, path: string): XElement[] =>
  codes.flatMap((c) => {
    const display = INTERPRETATIONS[c];
    if (display === undefined) {
      ctx.issues.push(issue('error', 'CDA_INTERPRETATION_UNKNOWN', `${path}/interpretationCode`, `Interpretation "${c}" is not in JDV_HL7_ObservationInterpretation_CISIS.`));
      return [];
    }
    return [el('interpretationCode', { code: c, displayName: display, codeSystem: OID_INTERPRETATION })];
  });

/** At most one reference range (E_FR-Resultat… rule), IVL_PQ when numeric, else its text. */
export const referenceRange = (r: ReferenceRange | undefined, fallbackUnit: string | undefined, ctx: EntryContext, path: string): XElement | undefined => {
  if (!r) {
    return undefined;
  }
  const low = toDecimal(r.low);
  const high = toDecimal(r.high);
  const numeric = (r.low === undefined || low !== undefined) && (r.high === undefined || high !== undefined) && (low !== undefined || high !== undefined);
  const unit = r.unit ?? fallbackUnit ?? '';
  const rp = `${path}/referenceRange`;
  return el(
    'referenceRange',
    { typeCode: 'REFV' },
    el(
      'observationRange',
      { classCode: 'OBS', moodCode: 'EVN.CRT' },
      numeric ? undefined : el('text', {}, r.text ?? [r.low, r.high].filter(Boolean).join(' - ')),
      numeric ? el('value', { 'xsi:type': 'IVL_PQ' }, pq('low', low, unit, ctx, rp), pq('high', high, unit, ctx, rp)) : undefined,
      el('interpretationCode', { code: 'N', displayName: 'Normal', codeSystem: OID_INTERPRETATION }),
    ),
  );
};

const unitOf = (v: ResultValue | undefined): string | undefined => (v && (v.type === 'quantity' || v.type === 'range') ? v.unit : undefined);

/** One result observation. `ref` is the narrative ID of its label. */
export const resultObservation = (o: Observation, ref: string, ctx: EntryContext, path: string): XElement => {
  const status = o.status === 'cancelled' ? 'aborted' : 'completed';
  const previousCode = (): XElement =>
    o.code.system === LOINC
      ? el('code', { code: o.code.code, displayName: o.code.display ?? o.localCode?.display ?? o.code.code, codeSystem: LOINC, codeSystemName: 'LOINC' })
      : el('code', {}, translation(o.localCode ?? o.code));
  return el(
    'observation',
    { classCode: 'OBS', moodCode: 'EVN' },
    el('templateId', { root: '1.3.6.1.4.1.19376.1.3.1.6' }),
    el('templateId', { root: '1.2.250.1.213.1.1.3.80' }),
    resultCode(o, ref, ctx, path),
    el('statusCode', { code: status }),
    ts('effectiveTime', o.effectiveTime ?? ctx.defaultTime),
    status === 'aborted' ? undefined : resultValue(o.value, ctx, path),
    interpretationCodes(o.interpretations, ctx, path),
    o.method ? el('methodCode', {}, el('originalText', {}, o.method)) : undefined,
    o.previous.map((p, i) =>
      el(
        'entryRelationship',
        { typeCode: 'REFR' },
        el(
          'observation',
          { classCode: 'OBS', moodCode: 'EVN' },
          previousCode(),
          el('statusCode', { code: 'completed' }),
          ts('effectiveTime', p.effectiveTime),
          resultValue(p.value, ctx, `${path}/entryRelationship[${i + 1}]/observation`),
        ),
      ),
    ),
    referenceRange(o.referenceRange, unitOf(o.value), ctx, path),
  );
};
