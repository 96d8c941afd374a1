/**
 * Checks for the partial ISO 8601 dates of the LabReport (model.ts header): real calendar dates, plausible years.
 */
const daysIn = (y: number, m: number): number => (m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

export interface DateBounds {
  readonly minYear: number;
  readonly maxYear: number;
  /** Accept `00` for an unknown month/day (lunar dates, birth dates only). */
  readonly lunar?: boolean;
}

/** Why a (year, month, day, hour, minute, second) tuple is not a date, or undefined when it is one. */
export const dateProblem = (
  parts: { y: number; mo?: number; d?: number; h?: number; mi?: number; s?: number },
  bounds: DateBounds,
): string | undefined => {
  const { y, mo, d, h, mi, s } = parts;
  if (y < bounds.minYear || y > bounds.maxYear) {
    return `year ${y} is outside ${bounds.minYear}–${bounds.maxYear}`;
  }
  if (mo !== undefined) {
    if (mo === 0 && bounds.lunar) {
      if (d !== undefined && d !== 0) {
        return 'an unknown month (00) needs an unknown day (00)';
      }
      return undefined;
    }
    if (mo < 1 || mo > 12) {
      return `month ${mo} does not exist`;
    }
  }
  if (d !== undefined && mo !== undefined) {
    if (d === 0 && bounds.lunar) {
      return undefined;
    }
    if (d < 1 || d > daysIn(y, mo)) {
      return `day ${d} does not exist in month ${mo} of ${y}`;
    }
  }
  if (h !== undefined && (h < 0 || h > 23)) {
    return `hour ${h} does not exist`;
  }
  if (mi !== undefined && (mi < 0 || mi > 59)) {
    return `minute ${mi} does not exist`;
  }
  if (s !== undefined && (s < 0 || s > 59)) {
    return `second ${s} does not exist`;
  }
  return undefined;
};
