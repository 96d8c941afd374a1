import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInsiResponse } from '../../../src/adapters/insi/response.js';
import { recSansVitaleEnvelope } from '../../../src/adapters/insi/envelope.js';
import { readSimRequest } from '../../../conformance/insi/request.js';

// Shapes as in the INSi qualification fixtures (standards.md §2.1): soap and S prefixes on the same namespace,
// RESULTAT in the default namespace, INSHISTO, Prenom + ListePrenom.
const ok = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
  <S:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope">
    <RESULTAT xmlns:ns2="http://www.cnamts.fr/INSiRecSans" xmlns="http://www.cnamts.fr/INSiResultat">
      <CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>
      <INDIVIDU>
        <INSACTIF><IdIndividu><NumIdentifiant>180032B020401</NumIdentifiant><Cle>23</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF>
        <INSHISTO><IdIndividu><NumIdentifiant>180032B020401</NumIdentifiant><Cle>23</Cle></IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSHISTO>
        <TIQ><NomNaissance>CORSE</NomNaissance><Prenom>ANTHONY</Prenom><ListePrenom>ANTHONY</ListePrenom><Sexe>M</Sexe>
          <DateNaissance>1980-03-02</DateNaissance><LieuNaissance>2B020</LieuNaissance></TIQ>
      </INDIVIDU>
    </RESULTAT>
  </S:Body>
</soap:Envelope>`;

const fault550 = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:env="http://www.w3.org/2003/05/soap-envelope"><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>soap:siram_100</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="fr">L'accès par ce progiciel au service n'est pas autorisé.</soap:Text></soap:Reason><soap:Detail><siram:Erreur code="desir_550" messageID="uuid:x" severite="erreur" xmlns:siram="urn:siram">Numéro d'autorisation du logiciel inconnu.</siram:Erreur></soap:Detail></soap:Fault></env:Body></soap:Envelope>`;

describe('INSi answer parsing', () => {
  it('reads a 00 answer with history and traits', () => {
    const a = parseInsiResponse(ok);
    assert.ok(a.code === '00');
    assert.equal(a.ins.value, '180032B02040123');
    assert.equal(a.history.length, 1);
    assert.equal(a.traits.birthPlaceCog, '2B020');
    assert.equal(a.traits.firstGivenName, 'ANTHONY');
  });
  it('reads 01 and 02', () => {
    for (const code of ['01', '02'] as const) {
      const a = parseInsiResponse(ok.replace(/<CR>.*<\/CR>/, `<CR><CodeCR>${code}</CodeCR><LibelleCR>x</LibelleCR></CR>`).replace(/<INDIVIDU>[\s\S]*<\/INDIVIDU>/, ''));
      assert.equal(a.code, code);
    }
  });
  it('maps the desir_550 fault (as INSi sends it) to INSI_SOFTWARE_UNKNOWN', () => {
    assert.throws(() => parseInsiResponse(fault550), { code: 'INSI_SOFTWARE_UNKNOWN' });
  });
  it('refuses what it cannot read: not XML, not SOAP, unknown CodeCR, 00 without TIQ', () => {
    assert.throws(() => parseInsiResponse('<html>'), { code: 'INSI_RESPONSE_INVALID' });
    assert.throws(() => parseInsiResponse('<a xmlns="urn:x"/>'), { code: 'INSI_RESPONSE_INVALID' });
    assert.throws(() => parseInsiResponse(ok.replace('<CodeCR>00', '<CodeCR>07')), { code: 'INSI_RESPONSE_INVALID' });
    assert.throws(() => parseInsiResponse(ok.replace(/<TIQ>[\s\S]*<\/TIQ>/, '')), { code: 'INSI_RESPONSE_INVALID' });
  });
});

describe('request envelope, read back by the simulator’s independent parser', () => {
  it('carries the traits, escaped, and the headers', () => {
    const xml = recSansVitaleEnvelope(
      { birthName: "D'AEION--BENALI", givenNames: ['YASMINE', 'NOOR'], sex: 'F', birthDate: '1985-07-02', birthPlaceCog: '99350' },
      { idam: 'ID<&>', softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: 'inst', emitter: '120459876' },
      { messageId: 'm1', lpsId: 'l1', bamId: 'b1', time: '2026-11-25T10:00:00.000Z' },
    );
    const r = readSimRequest(xml);
    assert.equal(r.operation, 'RECSANSVITALE');
    assert.equal(r.birthName, "D'AEION--BENALI");
    assert.deepEqual(r.givenNames, ['YASMINE', 'NOOR']);
    assert.equal(r.birthPlace, '99350');
    assert.equal(r.idam, 'ID<&>');
    assert.equal(r.messageId, 'uuid:m1');
    assert.equal(r.action, 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
  });
});
