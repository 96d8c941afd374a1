/**
 * INSi SOAP 1.2 request envelopes (standards.md §2.1, §2.3; WSDL DESIR_ICIR_EXP_1.5.0): RECSANSVITALE
 * (search with traits) and RECVITALE (search with carte Vitale data), with the ContexteBAM, ContexteLPS and
 * WS-Addressing headers. In mutual-TLS mode no wsse:Security header is sent.
 */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  ctxlps: 'urn:siram:lps:ctxlps',
  ctxbam: 'urn:siram:bam:ctxbam',
  recsans: 'http://www.cnamts.fr/INSiRecSans',
  recvit: 'http://www.cnamts.fr/INSiRecVit',
  resultat: 'http://www.cnamts.fr/INSiResultat',
  siram: 'urn:siram',
} as const;

export const ACTION = {
  withTraits: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite',
  withCard: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale',
} as const;

/** Who is calling: the software (IDAM from the CNDA) and the installation. */
export interface LpsContext {
  /** Numéro d'autorisation CNDA of the software. */
  readonly idam: string;
  readonly softwareName: string;
  readonly softwareVersion: string;
  /** UUID of this installation. */
  readonly instanceId: string;
  /** Emitter: in mutual-TLS mode the OU of the client certificate subject (the structure id). */
  readonly emitter: string;
}

/** One message's identity: ids and time are passed in (same input, same bytes). */
export interface MessageIds {
  readonly messageId: string;
  readonly lpsId: string;
  readonly bamId: string;
  /** ISO 8601 UTC. */
  readonly time: string;
}

export interface TraitsQuery {
  readonly birthName: string;
  /** One element per first name given (INSi takes one first name per call, or the space-separated list). */
  readonly givenNames: readonly string[];
  readonly sex: 'M' | 'F';
  /** YYYY-MM-DD (00 for unknown parts). */
  readonly birthDate: string;
  readonly birthPlaceCog?: string;
}

export interface CardQuery {
  /** 13-character matricule, 2-digit key. */
  readonly matricule: string;
  readonly key: string;
  readonly birthName?: string;
  readonly birthDate?: string;
  readonly birthRank?: number;
  /** Matricule of the insured person opening the rights, if another person. */
  readonly openingMatricule?: string;
  readonly openingKey?: string;
}

export const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const el = (prefix: string, name: string, value: string | undefined): string =>
  value === undefined ? '' : `<${prefix}:${name}>${xmlEscape(value)}</${prefix}:${name}>`;

const header = (action: string, lps: LpsContext, ids: MessageIds): string =>
  '<soap:Header>' +
  `<ctxbam:ContexteBAM xmlns:ctxbam="${NS.ctxbam}" Version="01_02">` +
  el('ctxbam', 'Id', ids.bamId) +
  el('ctxbam', 'Temps', ids.time) +
  el('ctxbam', 'Emetteur', lps.emitter) +
  '<ctxbam:COUVERTURE/>' +
  '</ctxbam:ContexteBAM>' +
  `<ctxlps:ContexteLPS xmlns:ctxlps="${NS.ctxlps}" Nature="CTXLPS" Version="01_00">` +
  el('ctxlps', 'Id', ids.lpsId) +
  el('ctxlps', 'Temps', ids.time) +
  el('ctxlps', 'Emetteur', lps.emitter) +
  '<ctxlps:LPS>' +
  `<ctxlps:IDAM R="4">${xmlEscape(lps.idam)}</ctxlps:IDAM>` +
  el('ctxlps', 'Version', lps.softwareVersion) +
  el('ctxlps', 'Instance', lps.instanceId) +
  el('ctxlps', 'Nom', `urn:lps:${lps.softwareName}:${lps.softwareVersion}`) +
  '</ctxlps:LPS>' +
  '</ctxlps:ContexteLPS>' +
  `<wsa:Action xmlns:wsa="${NS.wsa}">${action}</wsa:Action>` +
  `<wsa:MessageID xmlns:wsa="${NS.wsa}">uuid:${xmlEscape(ids.messageId)}</wsa:MessageID>` +
  '</soap:Header>';

const envelope = (action: string, lps: LpsContext, ids: MessageIds, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap}">${header(action, lps, ids)}<soap:Body>${body}</soap:Body></soap:Envelope>`;

/** RECSANSVITALE: search the INS with the strict traits. */
export const recSansVitaleEnvelope = (q: TraitsQuery, lps: LpsContext, ids: MessageIds): string =>
  envelope(
    ACTION.withTraits,
    lps,
    ids,
    `<rs:RECSANSVITALE xmlns:rs="${NS.recsans}">` +
      el('rs', 'NomNaissance', q.birthName) +
      q.givenNames.map((g) => el('rs', 'Prenom', g)).join('') +
      el('rs', 'Sexe', q.sex) +
      el('rs', 'DateNaissance', q.birthDate) +
      el('rs', 'LieuNaissance', q.birthPlaceCog) +
      '</rs:RECSANSVITALE>',
  );

/** RECVITALE: search the INS with the carte Vitale data. */
export const recVitaleEnvelope = (q: CardQuery, lps: LpsContext, ids: MessageIds): string =>
  envelope(
    ACTION.withCard,
    lps,
    ids,
    `<rv:RECVITALE xmlns:rv="${NS.recvit}">` +
      `<rv:MatriculeIndividu>${el('rv', 'NumIdentifiant', q.matricule)}${el('rv', 'Cle', q.key)}</rv:MatriculeIndividu>` +
      (q.openingMatricule ? `<rv:MatriculeOD>${el('rv', 'NumIdentifiant', q.openingMatricule)}${el('rv', 'Cle', q.openingKey)}</rv:MatriculeOD>` : '') +
      el('rv', 'NomNaissance', q.birthName) +
      el('rv', 'DateNaissance', q.birthDate) +
      el('rv', 'RangNaissance', q.birthRank === undefined ? undefined : String(q.birthRank)) +
      '</rv:RECVITALE>',
  );
