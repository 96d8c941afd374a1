/**
 * The VIHF: a SAML 2.0 assertion identifying the structure, the responsible person and the patient, signed
 * (enveloped XML-DSig, exclusive C14N) with the structure's signature certificate (standards.md §4.3,
 * HL7V2-IG mapping.md example; DRIMbox dmp/vihf). Carried in the WS-Security header of every DMP request.
 */
import { GatewayError } from '../../core/errors/index.js';
import { el, writeXml, type XElement } from '../../core/cda/xml.js';
import { NS } from '../../core/xds/constants.js';
import { ALG, digestUri, preparedSigner, signatureUri, type DigestName } from './algorithms.js';
import { canonicalize, DSIG_NS, signatureValueOf, signedInfoXml } from './dsig.js';
import { digestBase64, type CertificateIdentity } from './keystore.js';

export interface VihfCode {
  readonly code: string;
  readonly codeSystem: string;
  readonly displayName?: string;
}

export interface VihfSettings {
  /** VIHF_Version: 3.0 (IG example, DRIMbox) by default; 4.0 per the IG table (standards.md Open question 4). */
  readonly version: string;
  /** Subject/NameID: for automated processing, the id of the person responsible for the processing. */
  readonly nameId: string;
  /** subject-id: "software name, model, service" for automated processing. */
  readonly subjectName: string;
  /** Struct_IdNat of the structure (1 + FINESS). */
  readonly structureId: string;
  /** Secteur_Activite as code^OID, e.g. SA25^1.2.250.1.71.4.2.4. */
  readonly sectorOfActivity: string;
  /** subject:role (JDV_J65); default AUTOMATE / 1.2.250.1.213.1.1.4.6. Doctors add their specialty as a 2nd role. */
  readonly roles: readonly VihfCode[];
  readonly authenticationMode: 'INDIRECTE' | 'DIRECTE' | 'INDIRECTE_RENFORCEE';
  readonly authnContextClassRef: string;
  readonly lpsName: string;
  readonly lpsVersion: string;
  readonly lpsHomologation: string;
  readonly lpsId?: string;
  readonly digest: DigestName;
}

export interface VihfRequest {
  /** Assertion/@ID: an NCName, e.g. `_` + uuid. */
  readonly assertionId: string;
  readonly issueInstant: Date;
  readonly patientIns: { readonly value: string; readonly oid: string };
}

const attribute = (name: string, value: string): XElement =>
  el('saml2:Attribute', { Name: name }, el('saml2:AttributeValue', {}, value));

const codedAttribute = (name: string, element: string, codes: readonly VihfCode[], codeSystemName?: string): XElement =>
  el('saml2:Attribute', { Name: name }, codes.map((c) => el('saml2:AttributeValue', {},
    el(element, { 'xsi:type': 'CE', code: c.code, codeSystem: c.codeSystem, codeSystemName, displayName: c.displayName }))));

/** The unsigned assertion. Pure given its inputs. */
export const buildVihfAssertion = (cert: CertificateIdentity, s: VihfSettings, r: VihfRequest): string => {
  const instant = r.issueInstant.toISOString();
  const ins = `${r.patientIns.value}^^^&${r.patientIns.oid}&ISO^NH`;
  return writeXml(el('saml2:Assertion', { 'xmlns:saml2': NS.saml, 'xmlns:xsi': NS.xsi, xmlns: NS.hl7, ID: r.assertionId, IssueInstant: instant, Version: '2.0' },
    el('saml2:Issuer', { Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName' }, cert.subjectDn),
    el('saml2:Subject', {}, el('saml2:NameID', { Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' }, s.nameId)),
    el('saml2:AuthnStatement', { AuthnInstant: instant },
      el('saml2:AuthnContext', {}, el('saml2:AuthnContextClassRef', {}, s.authnContextClassRef))),
    el('saml2:AttributeStatement', {},
      attribute('VIHF_Version', s.version),
      attribute('Authentification_Mode', s.authenticationMode),
      attribute('Identifiant_Structure', s.structureId),
      attribute('Secteur_Activite', s.sectorOfActivity),
      attribute('urn:oasis:names:tc:xspa:1.0:subject:subject-id', s.subjectName),
      codedAttribute('urn:oasis:names:tc:xacml:2.0:subject:role', 'Role', s.roles),
      codedAttribute('urn:oasis:names:tc:xspa:1.0:subject:purposeofuse', 'PurposeOfUse',
        [{ code: 'normal', codeSystem: '1.2.250.1.213.1.1.4.248', displayName: 'Accès normal' }], 'mode acces VIHF 1.0'),
      attribute('urn:oasis:names:tc:xacml:2.0:resource:resource-id', ins),
      attribute('Ressource_URN', 'urn:dmp'),
      attribute('LPS_Nom', s.lpsName),
      attribute('LPS_Version', s.lpsVersion),
      attribute('LPS_ID_HOMOLOGATION_DMP', s.lpsHomologation),
      s.lpsId ? attribute('LPS_ID', s.lpsId) : undefined)));
};

const ISSUER_END = '</saml2:Issuer>';

/**
 * Signs the assertion (enveloped XML-DSig, exclusive C14N): ds:Signature right after saml2:Issuer (SAML schema
 * order), a Reference to #ID, KeyInfo with the certificate. `assertionXml` is buildVihfAssertion's output.
 */
export const signVihf = (assertionXml: string, cert: CertificateIdentity, digest: DigestName): string => {
  try {
    const id = /^<saml2:Assertion [^>]*\bID="([^"]+)"/.exec(assertionXml)?.[1];
    const at = assertionXml.indexOf(ISSUER_END);
    if (!id || at < 0) {
      throw new Error('not a saml2:Assertion with an ID and a saml2:Issuer');
    }
    const prepared = preparedSigner(cert);
    // The enveloped-signature transform removes a signature that is not there yet: the digest is over the assertion.
    const signedInfo = signedInfoXml(ALG.excC14n, signatureUri(digest), [{
      uri: `#${id}`, transforms: [ALG.enveloped, ALG.excC14n], digestAlgorithm: digestUri(digest), digestValue: digestBase64(digest, canonicalize(assertionXml, ALG.excC14n)),
    }]);
    const value = signatureValueOf(signedInfo, ALG.excC14n, prepared.privateKey, digest);
    const signature = `<ds:Signature xmlns:ds="${DSIG_NS}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo>${prepared.keyInfo({ prefix: 'ds' })}</ds:KeyInfo></ds:Signature>`;
    const end = at + ISSUER_END.length;
    return `${assertionXml.slice(0, end)}${signature}${assertionXml.slice(end)}`;
  } catch (e) {
    throw new GatewayError('DMP_SIGNATURE_FAILED', 'The VIHF assertion could not be signed.', { cause: e });
  }
};

export const signedVihf = (cert: CertificateIdentity, s: VihfSettings, r: VihfRequest): string => signVihf(buildVihfAssertion(cert, s, r), cert, s.digest);
