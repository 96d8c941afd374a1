/**
 * Reads an INSi answer (standards.md §2.1–2.2): RESULTAT (CodeCR 00 / 01 / 02, INSACTIF, INSHISTO, TIQ) or a
 * SOAP 1.2 Fault carrying siram:Erreur @code (desir_xxx). Faults become catalogue errors.
 */
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import { GatewayError } from '../../core/errors/index.js';
import { NS } from './envelope.js';

export interface InsiIns {
  /** 13-character matricule. */
  readonly matricule: string;
  readonly key: string;
  /** matricule + key, 15 characters. */
  readonly value: string;
  readonly oid: string;
  readonly type?: string;
  readonly startDate?: string;
  readonly endDate?: string;
}

/** INS traits (TIQ) as INSi returns them: upper case, no diacritics. */
export interface InsiTraits {
  readonly birthName: string;
  /** Space-separated list of birth first names (ListePrenom). */
  readonly birthGivenNames: string;
  /** Prenom, when returned (the first birth first name). */
  readonly firstGivenName?: string;
  readonly sex: 'M' | 'F';
  readonly birthDate: string;
  readonly birthPlaceCog?: string;
}

export type InsiAnswer =
  | { readonly code: '00'; readonly label: string; readonly ins: InsiIns; readonly history: readonly InsiIns[]; readonly traits: InsiTraits }
  | { readonly code: '01' | '02'; readonly label: string };

export interface InsiFault {
  readonly subcode?: string;
  readonly code?: string;
  readonly severity?: string;
  readonly reason: string;
}

const children = (parent: XmlElement, ns: string, name: string): XmlElement[] => {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as XmlElement;
      if (e.namespaceURI === ns && e.localName === name) {
        out.push(e);
      }
    }
  }
  return out;
};
const child = (parent: XmlElement, ns: string, name: string): XmlElement | undefined => children(parent, ns, name)[0];
const text = (parent: XmlElement | undefined, ns: string, name: string): string | undefined => {
  const e = parent ? child(parent, ns, name) : undefined;
  return e?.textContent?.trim() ?? undefined;
};

const invalid = (why: string): GatewayError => new GatewayError('INSI_RESPONSE_INVALID', `The INSi answer cannot be read: ${why}.`);

const parseDocument = (xml: string): XmlElement => {
  let root: XmlElement | null;
  try {
    const doc = new DOMParser({ onError: (level, msg) => {
      if (level !== 'warning') {
        throw new Error(msg);
      }
    } }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch {
    throw invalid('it is not well-formed XML');
  }
  if (!root || root.namespaceURI !== NS.soap || root.localName !== 'Envelope') {
    throw invalid('it is not a SOAP 1.2 envelope');
  }
  return root;
};

const readIns = (e: XmlElement): InsiIns => {
  const id = child(e, NS.resultat, 'IdIndividu');
  const matricule = text(id, NS.resultat, 'NumIdentifiant');
  const key = text(id, NS.resultat, 'Cle');
  const oid = text(e, NS.resultat, 'OID');
  if (!matricule || !key || !oid) {
    throw invalid('an INS has no NumIdentifiant, Cle or OID');
  }
  const type = text(id, NS.resultat, 'TypeMatricule');
  const startDate = text(e, NS.resultat, 'DateDeb');
  const endDate = text(e, NS.resultat, 'DateFin');
  return { matricule, key, value: matricule + key, oid, ...(type ? { type } : {}), ...(startDate ? { startDate } : {}), ...(endDate ? { endDate } : {}) };
};

/** The fault in a SOAP 1.2 envelope, if any. */
export const readFault = (body: XmlElement): InsiFault | undefined => {
  const fault = child(body, NS.soap, 'Fault');
  if (!fault) {
    return undefined;
  }
  const codeEl = child(fault, NS.soap, 'Code');
  const sub = codeEl ? child(codeEl, NS.soap, 'Subcode') : undefined;
  const subcode = text(sub, NS.soap, 'Value')?.replace(/^[^:]*:/, '');
  const reasonEl = child(fault, NS.soap, 'Reason');
  const reason = text(reasonEl, NS.soap, 'Text') ?? 'no reason given';
  const detail = child(fault, NS.soap, 'Detail');
  const err = detail ? child(detail, NS.siram, 'Erreur') : undefined;
  const code = err?.getAttribute('code') ?? undefined;
  const severity = err?.getAttribute('severite') ?? undefined;
  const detailText = err?.textContent?.trim();
  return { ...(subcode ? { subcode } : {}), ...(code ? { code } : {}), ...(severity ? { severity } : {}), reason: detailText || reason };
};

/** Map an INSi fault to the catalogue (standards.md §2.2). */
export const faultError = (f: InsiFault): GatewayError => {
  const code = (f.code ?? '').toLowerCase();
  const label = [f.subcode, f.code].filter(Boolean).join(' / ');
  if (code === 'desir_550') {
    return new GatewayError('INSI_SOFTWARE_UNKNOWN', `INSi: ${label}: ${f.reason}`);
  }
  if (code === 'desir_560') {
    return new GatewayError('INSI_ACCESS_DENIED', `INSi: ${label}: ${f.reason}`);
  }
  return new GatewayError('INSI_FAULT', `INSi fault ${label || '(no code)'}: ${f.reason}`);
};

/** Parse an INSi answer; throws the catalogue error for a fault or an unreadable answer. */
export const parseInsiResponse = (xml: string): InsiAnswer => {
  const root = parseDocument(xml);
  const body = child(root, NS.soap, 'Body');
  if (!body) {
    throw invalid('the envelope has no Body');
  }
  const fault = readFault(body);
  if (fault) {
    throw faultError(fault);
  }
  const res = child(body, NS.resultat, 'RESULTAT');
  if (!res) {
    throw invalid('the Body has no RESULTAT');
  }
  const cr = child(res, NS.resultat, 'CR');
  const code = text(cr, NS.resultat, 'CodeCR');
  const label = text(cr, NS.resultat, 'LibelleCR') ?? '';
  if (code === '01' || code === '02') {
    return { code, label };
  }
  if (code !== '00') {
    throw invalid(`unknown CodeCR ${code ?? '(none)'}`);
  }
  const ind = child(res, NS.resultat, 'INDIVIDU');
  const active = ind ? child(ind, NS.resultat, 'INSACTIF') : undefined;
  const tiq = ind ? child(ind, NS.resultat, 'TIQ') : undefined;
  if (!ind || !active || !tiq) {
    throw invalid('CodeCR 00 without INDIVIDU/INSACTIF/TIQ');
  }
  const sex = text(tiq, NS.resultat, 'Sexe');
  const birthName = text(tiq, NS.resultat, 'NomNaissance');
  const list = text(tiq, NS.resultat, 'ListePrenom');
  const birthDate = text(tiq, NS.resultat, 'DateNaissance');
  if ((sex !== 'M' && sex !== 'F') || !birthName || !list || !birthDate) {
    throw invalid('the TIQ misses a strict trait');
  }
  const first = text(tiq, NS.resultat, 'Prenom');
  const cog = text(tiq, NS.resultat, 'LieuNaissance');
  return {
    code: '00',
    label,
    ins: readIns(active),
    history: children(ind, NS.resultat, 'INSHISTO').map(readIns),
    traits: { birthName, birthGivenNames: list, sex, birthDate, ...(first ? { firstGivenName: first } : {}), ...(cog ? { birthPlaceCog: cog } : {}) },
  };
};
