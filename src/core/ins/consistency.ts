/**
 * Does the matricule agree with the identity's own traits (DESIGN.md "The identity gate")? The NIR encodes
 * the sex, the year and month of birth and the birth département (or 99 + country). Allowed exceptions:
 * special month values (unknown month at registration), unknown month (00) in the birth date, Corsica born
 * before 1976 (département 20 for a 2A/2B COG), Algeria before 1963 (91–94 for country 99352).
 * Messages carry no patient data.
 */
import type { Issue } from '../validation/issue.js';
import { issue } from '../validation/issue.js';
import type { NirParts } from './nir.js';
import { datePartsOf } from './compare.js';

export interface NirTraits {
  readonly sex: 'M' | 'F' | 'U';
  readonly birthDate: string;
  readonly birthPlaceCog?: string;
}

const ALGERIA = '99352';

export const nirTraitConsistency = (parts: NirParts, traits: NirTraits, path = 'patient'): Issue[] => {
  const out: Issue[] = [];
  if (traits.sex === 'U') {
    out.push(issue('warning', 'NIR_SEX_UNKNOWN', `${path}.sex`, 'The sex is unknown, so it cannot be checked against the first digit of the matricule.'));
  } else if (traits.sex !== parts.sex) {
    out.push(issue('error', 'NIR_SEX_MISMATCH', `${path}.sex`, 'The sex disagrees with the first digit of the matricule (1 = male, 2 = female).'));
  }
  const d = datePartsOf(traits.birthDate);
  if (!d) {
    out.push(issue('error', 'BIRTH_DATE_UNREADABLE', `${path}.birthDate`, 'The birth date cannot be read (expected YYYY-MM-DD, 00 for an unknown day or month).'));
  } else {
    if (d.y.slice(2) !== parts.year) {
      out.push(issue('error', 'NIR_YEAR_MISMATCH', `${path}.birthDate`, 'The birth year disagrees with positions 2-3 of the matricule.'));
    }
    if (!parts.monthSpecial) {
      if (d.m === '00') {
        out.push(issue('warning', 'NIR_MONTH_UNKNOWN_IN_TRAITS', `${path}.birthDate`, 'The birth month is unknown (00) but the matricule has a calendar month.'));
      } else if (d.m !== parts.month) {
        out.push(issue('error', 'NIR_MONTH_MISMATCH', `${path}.birthDate`, 'The birth month disagrees with positions 4-5 of the matricule.'));
      }
    }
  }
  const cog = traits.birthPlaceCog?.trim().toUpperCase();
  if (!cog) {
    out.push(issue('warning', 'NIR_PLACE_UNCHECKED', `${path}.birthPlaceCog`, 'The birth place code (COG) is missing, so it cannot be checked against the matricule.'));
    return out;
  }
  const place = parts.place;
  if (place.kind === 'abroad') {
    if (!cog.startsWith('99')) {
      out.push(issue('error', 'NIR_PLACE_MISMATCH', `${path}.birthPlaceCog`, 'The matricule says born abroad (99) but the birth place code is a French commune.'));
    } else if (cog !== place.cog) {
      out.push(issue('error', 'NIR_COUNTRY_MISMATCH', `${path}.birthPlaceCog`, 'The birth country code disagrees with positions 8-10 of the matricule.'));
    }
    return out;
  }
  if (cog.startsWith('99')) {
    const algeriaBefore1963 = cog === ALGERIA && ['91', '92', '93', '94'].includes(place.department) && d !== undefined && Number(d.y) < 1963;
    if (!algeriaBefore1963) {
      out.push(issue('error', 'NIR_PLACE_MISMATCH', `${path}.birthPlaceCog`, 'The birth place code says born abroad but the matricule has a French département.'));
    }
    return out;
  }
  const cogDepartment = cog.startsWith('97') || cog.startsWith('98') ? cog.slice(0, 3) : cog.slice(0, 2);
  const corsicaBefore1976 = place.department === '20' && (cogDepartment === '2A' || cogDepartment === '2B');
  if (cogDepartment !== place.department && !corsicaBefore1976) {
    out.push(issue('error', 'NIR_DEPARTMENT_MISMATCH', `${path}.birthPlaceCog`, 'The birth département disagrees with the matricule.'));
  } else if (cog !== place.cog && !corsicaBefore1976) {
    // Communes merge and change codes; the NIR keeps the code of the day of birth.
    out.push(issue('information', 'NIR_COMMUNE_DIFFERS', `${path}.birthPlaceCog`, 'The birth commune code differs from the matricule within the same département (communes merge and change codes).'));
  }
  return out;
};
