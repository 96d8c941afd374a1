/**
 * NIR / NIA matricule checks (standards.md §1.3). A matricule is 13 characters + a 2-digit key:
 * sex (1), year (2), month (2), place (5: département 2 + commune 3; 97x/98x overseas: département 3 +
 * commune 2; 99 abroad: 99 + INSEE country code 3), serial (3). Key = 97 − (N mod 97), with Corsica
 * 2A → 19 and 2B → 18. An NIA has the same structure; only its OID tells it from a NIR.
 * Every refusal says why, in words, without echoing the whole value.
 */

export type NirProblemCode =
  | 'NIR_EMPTY'
  | 'NIR_LENGTH'
  | 'NIR_KEY_MISSING'
  | 'NIR_CHARACTER'
  | 'NIR_SEX_DIGIT'
  | 'NIR_MONTH'
  | 'NIR_DEPARTMENT'
  | 'NIR_COMMUNE'
  | 'NIR_COUNTRY'
  | 'NIR_SERIAL'
  | 'NIR_KEY_MISMATCH';

export interface NirProblem {
  readonly code: NirProblemCode;
  readonly reason: string;
}

export type NirPlace =
  | { readonly kind: 'metropole'; readonly department: string; readonly commune: string; readonly cog: string }
  | { readonly kind: 'overseas'; readonly department: string; readonly commune: string; readonly cog: string }
  | { readonly kind: 'abroad'; readonly country: string; readonly cog: string };

export interface NirParts {
  readonly sexDigit: string;
  /** Sex the first digit stands for: odd → M, even → F. */
  readonly sex: 'M' | 'F';
  /** 3, 4, 7 or 8: a number given while registration is pending or temporary. */
  readonly provisional: boolean;
  /** Last two digits of the birth year. */
  readonly year: string;
  readonly month: string;
  /** True when the month field is a special value (20, 30–42, 50–99) rather than a calendar month. */
  readonly monthSpecial: boolean;
  readonly place: NirPlace;
  readonly serial: string;
}

export interface NirCheck {
  readonly valid: boolean;
  /** The first problem in words, or a summary of what the value is when valid. */
  readonly reason: string;
  readonly problems: readonly NirProblem[];
  /** Notes that do not make the value invalid (lower case accepted, spaces removed, unusual codes). */
  readonly notes: readonly string[];
  /** The 15-character form (13 + key) when the structure could be read. */
  readonly normalized?: string;
  readonly matricule?: string;
  readonly key?: string;
  readonly expectedKey?: string;
  readonly parts?: NirParts;
}

const OVERSEAS_DEPARTMENTS = new Set(['971', '972', '973', '974', '975', '976', '977', '978', '984', '986', '987', '988', '989']);

/** The key of a 13-character matricule (Corsica 2A → 19, 2B → 18 before computing). */
export const nirKey = (nir13: string): string => {
  const upper = nir13.toUpperCase();
  const digits = upper.slice(0, 5) + upper.slice(5, 7).replace('2A', '19').replace('2B', '18') + upper.slice(7);
  if (!/^\d{13}$/.test(digits)) {
    throw new RangeError('nirKey needs 13 digits (2A/2B allowed at positions 6-7)');
  }
  const n = BigInt(digits);
  return String(97n - (n % 97n)).padStart(2, '0');
};

const position = (i: number): string => `position ${i + 1}`;

/** Explain a character that is not a digit where a digit is expected, including look-alike confusions. */
const characterProblem = (ch: string, i: number): NirProblem => {
  let hint = '';
  if (ch === 'O' || ch === 'o') {
    hint = ' (the letter O typed instead of the digit 0?)';
  } else if (ch === 'I' || ch === 'l' || ch === 'i' || ch === 'L' || ch === '|') {
    hint = ' (a letter I or l typed instead of the digit 1?)';
  } else if (ch === 'S' || ch === 's') {
    hint = ' (the letter S typed instead of the digit 5?)';
  } else if (ch === 'B' && i !== 6) {
    hint = ' (the letter B typed instead of the digit 8?)';
  }
  return { code: 'NIR_CHARACTER', reason: `The character "${ch}" at ${position(i)} is not a digit${hint}.` };
};

const readMonth = (month: string): { ok: boolean; special: boolean } => {
  const m = Number(month);
  if (m >= 1 && m <= 12) {
    return { ok: true, special: false };
  }
  // 20, 30–42 and 50–99 are given when the month of birth is unknown or the civil status is incomplete.
  if (m === 20 || (m >= 30 && m <= 42) || (m >= 50 && m <= 99)) {
    return { ok: true, special: true };
  }
  return { ok: false, special: false };
};

/**
 * Check a NIR or NIA (13 characters + 2-digit key). Spaces are ignored; lower-case 2a/2b accepted.
 * A 13-character value is refused (the key is missing) but its expected key is given.
 */
export const checkNir = (input: string): NirCheck => {
  const notes: string[] = [];
  const compact = input.replace(/\s+/g, '');
  if (compact !== input) {
    notes.push('Spaces were removed.');
  }
  if (compact.length === 0) {
    return { valid: false, reason: 'The value is empty.', problems: [{ code: 'NIR_EMPTY', reason: 'The value is empty.' }], notes };
  }
  let value = compact;
  if (/2[ab]/.test(value.slice(5, 7))) {
    value = value.slice(0, 5) + value.slice(5, 7).toUpperCase() + value.slice(7);
    notes.push('Lower-case Corsica code (2a/2b) read as upper case.');
  }
  const problems: NirProblem[] = [];
  if (value.length !== 13 && value.length !== 15) {
    const p: NirProblem = {
      code: 'NIR_LENGTH',
      reason: `The value has ${value.length} characters; a matricule INS has 15 (13 characters and a 2-digit key).`,
    };
    return { valid: false, reason: p.reason, problems: [p], notes };
  }
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] ?? '';
    const corsica = (i === 5 || i === 6) && (value.slice(5, 7) === '2A' || value.slice(5, 7) === '2B');
    if (!/\d/.test(ch) && !corsica) {
      problems.push(characterProblem(ch, i));
    }
  }
  if (problems.length > 0) {
    return { valid: false, reason: problems[0]?.reason ?? '', problems, notes };
  }
  const matricule = value.slice(0, 13);
  const expectedKey = nirKey(matricule);
  if (value.length === 13) {
    const p: NirProblem = { code: 'NIR_KEY_MISSING', reason: `The 2-digit key is missing (13 characters given); the key of this matricule would be ${expectedKey}.` };
    return { valid: false, reason: p.reason, problems: [p], notes, matricule, expectedKey };
  }
  const key = value.slice(13, 15);

  const sexDigit = matricule[0] ?? '';
  if (!['1', '2', '3', '4', '7', '8'].includes(sexDigit)) {
    problems.push({ code: 'NIR_SEX_DIGIT', reason: `The first digit (sex) is ${sexDigit}; it must be 1 or 2 (3, 4, 7 or 8 for provisional numbers).` });
  }
  const provisional = ['3', '4', '7', '8'].includes(sexDigit);
  if (provisional) {
    notes.push('The first digit marks a provisional or temporary number (3, 4, 7 or 8).');
  }
  const year = matricule.slice(1, 3);
  const month = matricule.slice(3, 5);
  const monthRead = readMonth(month);
  if (!monthRead.ok) {
    problems.push({ code: 'NIR_MONTH', reason: `The month field (positions 4-5) is ${month}; it must be 01 to 12, or a special value for an unknown month (20, 30 to 42, 50 to 99).` });
  } else if (monthRead.special) {
    notes.push(`The month field ${month} is a special value: the month of birth was unknown at registration.`);
  }

  const dep2 = matricule.slice(5, 7);
  let place: NirPlace | undefined;
  if (dep2 === '99') {
    const country = matricule.slice(7, 10);
    if (country === '000') {
      problems.push({ code: 'NIR_COUNTRY', reason: 'Born abroad (département 99) but the country code (positions 8-10) is 000.' });
    }
    place = { kind: 'abroad', country, cog: `99${country}` };
  } else if (dep2 === '97' || dep2 === '98') {
    const department = matricule.slice(5, 8);
    const commune = matricule.slice(8, 10);
    if (!OVERSEAS_DEPARTMENTS.has(department)) {
      problems.push({ code: 'NIR_DEPARTMENT', reason: `The overseas département code ${department} (positions 6-8) does not exist (971 to 978, 984, 986 to 989).` });
    }
    if (commune === '00') {
      problems.push({ code: 'NIR_COMMUNE', reason: 'The overseas commune code (positions 9-10) is 00.' });
    }
    place = { kind: 'overseas', department, commune, cog: department + commune };
  } else {
    const commune = matricule.slice(7, 10);
    if (dep2 === '00' || (/^\d\d$/.test(dep2) && Number(dep2) > 96)) {
      problems.push({ code: 'NIR_DEPARTMENT', reason: `The département code ${dep2} (positions 6-7) does not exist (01 to 95, 2A, 2B, 97x/98x overseas, 99 abroad).` });
    } else if (dep2 === '96') {
      notes.push('Département code 96 is historical (births in former protectorates); check the birth place.');
    }
    if (commune === '000') {
      problems.push({ code: 'NIR_COMMUNE', reason: 'The commune code (positions 8-10) is 000.' });
    }
    place = { kind: 'metropole', department: dep2, commune, cog: dep2 + commune };
  }
  const serial = matricule.slice(10, 13);
  if (serial === '000') {
    problems.push({ code: 'NIR_SERIAL', reason: 'The serial number (positions 11-13) is 000.' });
  }
  if (key !== expectedKey) {
    problems.push({ code: 'NIR_KEY_MISMATCH', reason: `The key ${key} does not match the matricule (the key computed from the 13 characters is ${expectedKey}); a character may be mistyped.` });
  }
  const parts: NirParts = {
    sexDigit,
    sex: Number(sexDigit) % 2 === 1 ? 'M' : 'F',
    provisional,
    year,
    month,
    monthSpecial: monthRead.special,
    place,
    serial,
  };
  const valid = problems.length === 0;
  const where =
    place.kind === 'abroad' ? `born abroad, country code ${place.country}` : place.kind === 'overseas' ? `overseas département ${place.department}` : `département ${place.department}`;
  const reason = valid ? `Well-formed matricule with a correct key (sex ${parts.sex}, year ${year}, month ${month}, ${where}).` : (problems[0]?.reason ?? '');
  return { valid, reason, problems, notes, normalized: value, matricule, key, expectedKey, parts };
};
