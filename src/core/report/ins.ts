/**
 * Structural INS checks done at intake (standards.md §1.2, §1.3): 15 characters, the NIR/NIA key, a known
 * assigning authority. The identity gate (src/core/ins) does the trait-level checks later.
 */
import { INS_OID } from './model.js';

export const INS_OIDS: readonly string[] = Object.values(INS_OID);

/** Key = 97 − (N mod 97), Corsica 2A → 19, 2B → 18 (standards.md §1.3). */
export const nirKey = (nir13: string): string => {
  const digits = nir13.toUpperCase().replace(/^(\d{5})2A/, '$119').replace(/^(\d{5})2B/, '$118');
  const n = BigInt(digits);
  return String(97n - (n % 97n)).padStart(2, '0');
};

export type InsCheck = 'ok' | 'format' | 'key';

export const checkInsValue = (value: string): InsCheck => {
  if (!/^[1-8]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/i.test(value)) {
    return 'format';
  }
  return nirKey(value.slice(0, 13)) === value.slice(13) ? 'ok' : 'key';
};

export const isInsOid = (oid: string): boolean => INS_OIDS.includes(oid);
