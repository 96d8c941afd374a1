/** Human-readable forms for the narrative block (and the PDF copy): dates, values, ranges, flags. */
import type { Practitioner, ReferenceRange, ResultValue } from '../report/model.js';
import { INTERPRETATIONS } from './codes.js';

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?/;

/** `2021-01-04T16:05:27+01:00` → `04/01/2021 16:05` (the local time the SIL gave, no conversion). */
export const humanDate = (iso: string | undefined): string => {
  if (!iso) {
    return '';
  }
  const m = ISO.exec(iso);
  if (!m) {
    return iso;
  }
  const [, y, mo, d, h, mi] = m;
  const date = [d && d !== '00' ? d : undefined, mo && mo !== '00' ? mo : undefined, y].filter(Boolean).join('/');
  return h && mi ? `${date} ${h}:${mi}` : date;
};

const COMPARATOR_TEXT = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' } as const;

export const valueText = (v: ResultValue | undefined): string => {
  if (!v) {
    return '';
  }
  switch (v.type) {
    case 'quantity':
      return [v.comparator ? COMPARATOR_TEXT[v.comparator] : undefined, v.value, v.unit].filter(Boolean).join(' ');
    case 'range':
      return [v.low !== undefined ? `≥ ${v.low}` : undefined, v.high !== undefined ? `≤ ${v.high}` : undefined, v.unit].filter(Boolean).join(' ');
    case 'coded':
      return v.code.display ?? v.code.code;
    case 'text':
      return v.text;
  }
};

export const rangeText = (r: ReferenceRange | undefined): string => {
  if (!r) {
    return '';
  }
  if (r.low !== undefined || r.high !== undefined) {
    const unit = r.unit ? ` ${r.unit}` : '';
    if (r.low !== undefined && r.high !== undefined) {
      return `${r.low} - ${r.high}${unit}`;
    }
    return r.low !== undefined ? `≥ ${r.low}${unit}` : `≤ ${r.high ?? ''}${unit}`;
  }
  return r.text ?? '';
};

export const interpretationText = (codes: readonly string[]): string =>
  codes.map((c) => INTERPRETATIONS[c] ?? c).join(', ');

export const practitionerText = (p: Practitioner | undefined): string =>
  p ? [p.prefix, p.given, p.family].filter(Boolean).join(' ') || (p.rpps ? `RPPS ${p.rpps}` : '') : '';
