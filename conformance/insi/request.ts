/**
 * The simulator's own reading of an INSi request (fast-xml-parser, namespace prefixes stripped), deliberately
 * independent of the gateway's client code, so that a bug in one is not mirrored by the other.
 */
import { XMLParser } from 'fast-xml-parser';

export interface SimRequest {
  readonly action?: string;
  readonly messageId?: string;
  readonly idam?: string;
  readonly hasBam: boolean;
  readonly hasLps: boolean;
  readonly operation?: 'RECSANSVITALE' | 'RECVITALE';
  readonly birthName?: string;
  readonly givenNames: readonly string[];
  readonly sex?: string;
  readonly birthDate?: string;
  readonly birthPlace?: string;
  readonly matricule?: string;
  readonly key?: string;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Prenom',
});

type Node = Record<string, unknown>;
const obj = (v: unknown): Node | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined);
const str = (v: unknown): string | undefined => {
  if (typeof v === 'string') {
    return v;
  }
  const o = obj(v);
  return o && typeof o['#text'] === 'string' ? o['#text'] : undefined;
};

/** Throws when the bytes are not a SOAP envelope. */
export const readSimRequest = (xml: string): SimRequest => {
  const doc = obj(parser.parse(xml, true));
  const env = obj(doc?.['Envelope']);
  if (!env) {
    throw new Error('not a SOAP envelope');
  }
  const header = obj(env['Header']) ?? {};
  const body = obj(env['Body']) ?? {};
  const lps = obj(header['ContexteLPS']);
  const bam = obj(header['ContexteBAM']);
  const idam = str(obj(lps?.['LPS'])?.['IDAM']);
  const sans = obj(body['RECSANSVITALE']);
  const vit = obj(body['RECVITALE']);
  const base = {
    action: str(header['Action']),
    messageId: str(header['MessageID']),
    idam,
    hasBam: bam !== undefined,
    hasLps: lps !== undefined,
  };
  if (sans) {
    const prenoms = Array.isArray(sans['Prenom']) ? (sans['Prenom'] as unknown[]).map(str).filter((p): p is string => p !== undefined) : [];
    return {
      ...base,
      operation: 'RECSANSVITALE',
      birthName: str(sans['NomNaissance']),
      givenNames: prenoms,
      sex: str(sans['Sexe']),
      birthDate: str(sans['DateNaissance']),
      birthPlace: str(sans['LieuNaissance']),
    };
  }
  if (vit) {
    const m = obj(vit['MatriculeIndividu']);
    return { ...base, operation: 'RECVITALE', birthName: str(vit['NomNaissance']), birthDate: str(vit['DateNaissance']), givenNames: [], matricule: str(m?.['NumIdentifiant']), key: str(m?.['Cle']) };
  }
  return { ...base, givenNames: [] };
};
