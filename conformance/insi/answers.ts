/** The simulator's answers: RESULTAT bodies and SOAP 1.2 faults, written the way the INSi fixtures show them. */
import type { SimIdentity } from './dataset.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

const envelope = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><S:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope">${body}</S:Body></soap:Envelope>`;

const ins = (tag: string, i: { matricule: string; key: string; oid: string }): string =>
  `<${tag}><IdIndividu><NumIdentifiant>${i.matricule}</NumIdentifiant><Cle>${i.key}</Cle></IdIndividu><OID>${i.oid}</OID></${tag}>`;

export const resultEnvelope = (found: readonly SimIdentity[]): string => {
  const open = '<RESULTAT xmlns:ns3="http://www.cnamts.fr/INSiRecVit" xmlns:ns2="http://www.cnamts.fr/INSiRecSans" xmlns="http://www.cnamts.fr/INSiResultat">';
  if (found.length === 0) {
    return envelope(`${open}<CR><CodeCR>01</CodeCR><LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT>`);
  }
  if (found.length > 1) {
    return envelope(`${open}<CR><CodeCR>02</CodeCR><LibelleCR>Plusieurs identites trouvees</LibelleCR></CR></RESULTAT>`);
  }
  const p = found[0] as SimIdentity;
  const first = p.givenNames.split(' ')[0] ?? '';
  return envelope(
    `${open}<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU>` +
      ins('INSACTIF', p) +
      (p.history ?? []).map((h) => ins('INSHISTO', h)).join('') +
      `<TIQ><NomNaissance>${esc(p.birthName)}</NomNaissance><Prenom>${esc(first)}</Prenom><ListePrenom>${esc(p.givenNames)}</ListePrenom>` +
      `<Sexe>${p.sex}</Sexe><DateNaissance>${p.birthDate}</DateNaissance><LieuNaissance>${p.birthPlaceCog}</LieuNaissance></TIQ>` +
      '</INDIVIDU></RESULTAT>',
  );
};

export interface SimFault {
  /** siram_xxx (soap:Subcode). */
  readonly subcode: string;
  /** desir_xxx (siram:Erreur @code). */
  readonly code: string;
  readonly reason: string;
}

export const FAULTS = {
  unknownIdam: { subcode: 'siram_100', code: 'desir_550', reason: "Numéro d'autorisation du logiciel inconnu." },
  accessLevel: { subcode: 'siram_100', code: 'DESIR_560', reason: "Niveau d'accès insuffisant." },
  // Our own code for a request the simulator cannot accept (the real service's code for this is not public).
  badRequest: { subcode: 'siram_100', code: 'desir_400', reason: 'Requête invalide.' },
} as const satisfies Record<string, SimFault>;

export const faultEnvelope = (f: SimFault, messageId: string): string =>
  envelope(
    '<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value>' +
      `<soap:Subcode><soap:Value>soap:${f.subcode}</soap:Value></soap:Subcode></soap:Code>` +
      `<soap:Reason><soap:Text xml:lang="fr">${esc(f.reason)}</soap:Text></soap:Reason>` +
      `<soap:Detail><siram:Erreur code="${f.code}" messageID="${esc(messageId)}" severite="erreur" xmlns:siram="urn:siram">${esc(f.reason)}</siram:Erreur></soap:Detail>` +
      '</soap:Fault>',
  );
