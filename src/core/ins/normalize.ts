/**
 * Normalisation of identity traits for comparison (standards.md §2.4): upper case, diacritics removed,
 * typographic apostrophes to ', whitespace collapsed. Hyphen, double hyphen, apostrophe and space are
 * kept: they may separate two different first names or a compound name, so they are compared, not erased.
 * A "loose" key (letters only) flags near-matches for a human; it never accepts a match on its own.
 */
import type { IdentityRules } from './rules.js';

const APOSTROPHES = /[\u2018\u2019\u201B\u02BC\u00B4\u0060\u2032]/g;
const HYPHENS = /[\u2010\u2011\u2012\u2013\u2014\u2212]/g;

/** Upper case, no diacritics (Œ → OE, Æ → AE, ß → SS), typographic apostrophes and dashes to ASCII, spaces collapsed. */
export const normalizeName = (value: string): string =>
  value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[Œœ]/g, 'OE')
    .replace(/[Ææ]/g, 'AE')
    .replace(/ß/g, 'SS')
    .replace(APOSTROPHES, "'")
    .replace(HYPHENS, '-')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*(-{1,2}|')\s*/g, '$1')
    .trim();

/** Letters only: for flagging near-matches (separators and case ignored). */
export const looseKey = (value: string): string => normalizeName(value).replace(/[^A-Z0-9]/g, '');

/** Separator forms treated as the same by the rules (e.g. `--` and `-` in a birth name). */
export const canonicalSeparators = (normalized: string, rules: IdentityRules): string => {
  let out = normalized;
  for (const [from, to] of rules.equivalentSeparators) {
    out = out.split(from).join(to);
  }
  return out;
};

/** Birth first names as a list (space separated; a hyphenated first name is one token). */
export const givenNameTokens = (list: string): string[] => {
  const n = normalizeName(list);
  return n === '' ? [] : n.split(' ');
};

/** Replace look-alike characters (I/l/1, O/0 …) by one representative, per the rules. */
export const foldConfusables = (value: string, rules: IdentityRules): string => {
  let out = '';
  for (const ch of value) {
    out += rules.confusables[ch] ?? ch;
  }
  return out;
};

/** Damerau–Levenshtein distance (optimal string alignment), for "likely typo". */
export const editDistance = (a: string, b: string): number => {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    d.push([i]);
  }
  for (let j = 0; j <= b.length; j += 1) {
    (d[0] as number[])[j] = j;
  }
  for (let i = 1; i <= a.length; i += 1) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
};
