/** Issue collection while mapping one message; every finding names its segment/field path. */
import { issue, type Issue } from '../../core/validation/issue.js';
import type { DateBounds } from '../../core/report/dates.js';
import { hl7DateTimeToIso } from './datetime.js';
import type { Segment } from './tokenize.js';

export class MapContext {
  readonly issues: Issue[] = [];

  constructor(
    /** Year of MSH-7, used to bound plausible dates. */
    readonly messageYear: number,
  ) {}

  error(code: string, path: string, message: string): void {
    this.issues.push(issue('error', code, path, message));
  }

  warn(code: string, path: string, message: string): void {
    this.issues.push(issue('warning', code, path, message));
  }

  info(code: string, path: string, message: string): void {
    this.issues.push(issue('information', code, path, message));
  }

  get eventBounds(): DateBounds {
    return { minYear: 1900, maxYear: this.messageYear + 1 };
  }

  /** An event time (collection, report…) from field n component c; undefined when empty or wrong (then an issue). */
  dateTime(seg: Segment, n: number, c = 1, s = 1, what = 'date/time'): string | undefined {
    const raw = seg.get(n, c, s);
    if (raw === '') {
      return undefined;
    }
    const r = hl7DateTimeToIso(raw, this.eventBounds);
    if (!r.ok) {
      this.error('HL7_DATE_INVALID', seg.path(n, undefined, c > 1 || s > 1 ? c : undefined, s > 1 ? s : undefined), `${seg.name}-${n} ${what} is invalid: ${r.reason}.`);
      return undefined;
    }
    return r.value;
  }

  /** A required field: issue when empty. */
  required(seg: Segment, n: number, c: number, what: string): string {
    const v = seg.get(n, c).trim();
    if (v === '') {
      this.error('HL7_REQUIRED_FIELD_MISSING', seg.path(n, undefined, c > 1 ? c : undefined), `${seg.name}-${n}${c > 1 ? `.${c}` : ''} (${what}) is required and empty.`);
    }
    return v;
  }
}
