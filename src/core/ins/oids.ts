/**
 * INS assigning authorities (standards.md §1.2). Which ones a gateway accepts is configuration
 * (`ins.acceptedOids`): production takes NIR and NIA, the sandbox also takes the test and demo NIR OIDs.
 */
import { INS_OID } from '../report/model.js';

export type InsKind = 'NIR' | 'NIA' | 'NIR_TEST' | 'NIR_DEMO';

const KIND_BY_OID: Readonly<Record<string, InsKind>> = {
  [INS_OID.NIR]: 'NIR',
  [INS_OID.NIA]: 'NIA',
  [INS_OID.NIR_TEST]: 'NIR_TEST',
  [INS_OID.NIR_DEMO]: 'NIR_DEMO',
};

const LABEL: Readonly<Record<InsKind, string>> = {
  NIR: 'INS-NIR',
  NIA: 'INS-NIA',
  NIR_TEST: 'INS-NIR de test',
  NIR_DEMO: 'INS-NIR de démonstration',
};

/** The kind of INS an OID designates, or undefined for any other OID (including the obsolete INS-C …4.2). */
export const insKindOfOid = (oid: string): InsKind | undefined => KIND_BY_OID[oid.trim()];

export const insKindLabel = (kind: InsKind): string => LABEL[kind];

export type OidCheck =
  | { readonly ok: true; readonly kind: InsKind }
  | { readonly ok: false; readonly code: 'INS_OID_UNKNOWN' | 'INS_OID_NOT_ACCEPTED'; readonly reason: string };

/** Is this OID an INS assigning authority, and is it accepted by this installation? */
export const checkInsOid = (oid: string, acceptedOids: readonly string[]): OidCheck => {
  const kind = insKindOfOid(oid);
  if (!kind) {
    const reason =
      oid.trim() === '1.2.250.1.213.1.4.2'
        ? 'The OID 1.2.250.1.213.1.4.2 is the obsolete computed INS (INS-C); only the INS-NIR or INS-NIA may be used.'
        : `The OID ${oid} is not an INS assigning authority (expected 1.2.250.1.213.1.4.8 NIR, .9 NIA, .10 test NIR or .11 demo NIR).`;
    return { ok: false, code: 'INS_OID_UNKNOWN', reason };
  }
  if (!acceptedOids.includes(oid.trim())) {
    return {
      ok: false,
      code: 'INS_OID_NOT_ACCEPTED',
      reason: `The ${LABEL[kind]} OID ${oid} is not accepted by this installation (setting ins.acceptedOids).`,
    };
  }
  return { ok: true, kind };
};
