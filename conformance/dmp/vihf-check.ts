/**
 * The simulator's check of the WS-Security header: the VIHF assertion, its enveloped signature (dsig.ts),
 * the signing certificate (test CA) and the DMP attributes (standards.md §4.3).
 */
import { verifyDsig } from './dsig.js';
import { certFromBase64, chainsToBundle, insKeyValid, rfc2253 } from './pki-check.js';
import { descendants, kid, kids, NSS, txt } from './xml.js';
import type { XDocument as Document, XElement as Element } from './xml-read.js';

export interface VihfResult {
  readonly problems: readonly { readonly subcode: 'InvalidSecurity' | 'FailedAuthentication'; readonly text: string }[];
  /** resource-id: the patient INS in CX form. */
  readonly patientCx?: string;
  readonly signerOrganization?: string;
}

const REQUIRED_PLAIN = ['VIHF_Version', 'Authentification_Mode', 'Identifiant_Structure', 'Secteur_Activite', 'urn:oasis:names:tc:xspa:1.0:subject:subject-id',
  'urn:oasis:names:tc:xacml:2.0:resource:resource-id', 'Ressource_URN', 'LPS_Nom', 'LPS_Version', 'LPS_ID_HOMOLOGATION_DMP'] as const;

/** The assertion's enveloped signature, in the assertion serialized on its own. */
const VIHF_SIGNATURE = { path: '/saml:Assertion/ds:Signature', namespaces: { saml: NSS.saml, ds: NSS.ds } };

export const checkVihf = (doc: Document, caBundle: string, now: Date): VihfResult => {
  const problems: { subcode: 'InvalidSecurity' | 'FailedAuthentication'; text: string }[] = [];
  const header = kid(doc.documentElement, NSS.soap, 'Header');
  const security = kid(header, NSS.wsse, 'Security');
  const assertion = kid(security, NSS.saml, 'Assertion');
  if (!assertion) {
    return { problems: [{ subcode: 'InvalidSecurity', text: 'no VIHF assertion in wsse:Security' }] };
  }
  const id = assertion.getAttribute('ID') ?? '';
  if (assertion.getAttribute('Version') !== '2.0' || !id) {
    problems.push({ subcode: 'InvalidSecurity', text: 'the assertion must have Version 2.0 and an ID' });
  }
  const instant = Date.parse(assertion.getAttribute('IssueInstant') ?? '');
  if (!Number.isFinite(instant) || Math.abs(instant - now.getTime()) > 10 * 60 * 1000) {
    problems.push({ subcode: 'FailedAuthentication', text: 'IssueInstant missing or more than 10 minutes away from now' });
  }
  // Signature: one ds:Signature, child of the assertion, one Reference to the assertion itself.
  const sigs = kids(assertion, NSS.ds, 'Signature');
  const sig = sigs[0];
  let org: string | undefined;
  if (sigs.length !== 1 || !sig) {
    problems.push({ subcode: 'FailedAuthentication', text: 'the assertion must carry exactly one enveloped ds:Signature' });
  } else {
    const refs = descendants(kid(sig, NSS.ds, 'SignedInfo'), NSS.ds, 'Reference');
    if (refs.length !== 1 || refs[0]?.getAttribute('URI') !== `#${id}`) {
      problems.push({ subcode: 'FailedAuthentication', text: 'the signature must reference the assertion (URI="#ID") and nothing else' });
    }
    const certB64 = txt(descendants(sig, NSS.ds, 'X509Certificate')[0]);
    if (!certB64) {
      problems.push({ subcode: 'FailedAuthentication', text: 'no X509Certificate in the signature KeyInfo' });
    } else {
      try {
        const cert = certFromBase64(certB64);
        const chain = chainsToBundle(cert, caBundle, now);
        if (chain) {
          problems.push({ subcode: 'FailedAuthentication', text: `VIHF signing certificate: ${chain}` });
        }
        // The key of the certificate whose chain was checked above (not one read again from KeyInfo), over the
        // assertion on its own (it is self-contained under exclusive C14N): the reference is looked up in the
        // assertion, not in the whole envelope, so nothing outside it can stand in for it.
        const check = verifyDsig(assertion.serialize(), VIHF_SIGNATURE, cert.publicKey);
        if (!check.verified) {
          problems.push({ subcode: 'FailedAuthentication', text: `the VIHF signature does not verify: ${check.error ?? ''}` });
        }
        const issuer = txt(kid(assertion, NSS.saml, 'Issuer'));
        if (issuer !== rfc2253(cert.subject)) {
          problems.push({ subcode: 'FailedAuthentication', text: 'Issuer is not the subject DN of the signing certificate' });
        }
        org = /(?:^|\n)O=([^\n]*)/.exec(cert.subject)?.[1];
      } catch (e) {
        problems.push({ subcode: 'FailedAuthentication', text: `unreadable signing certificate: ${(e as Error).message}` });
      }
    }
  }
  if (!txt(descendants(kid(assertion, NSS.saml, 'Subject'), NSS.saml, 'NameID')[0])) {
    problems.push({ subcode: 'InvalidSecurity', text: 'Subject/NameID is required' });
  }
  if (!kid(assertion, NSS.saml, 'AuthnStatement')) {
    problems.push({ subcode: 'InvalidSecurity', text: 'AuthnStatement is required' });
  }
  const attrs = new Map<string, Element>();
  for (const a of descendants(kid(assertion, NSS.saml, 'AttributeStatement'), NSS.saml, 'Attribute')) {
    attrs.set(a.getAttribute('Name') ?? '', a);
  }
  const value = (name: string): string => txt(kid(attrs.get(name), NSS.saml, 'AttributeValue'));
  for (const name of REQUIRED_PLAIN) {
    if (!value(name)) {
      problems.push({ subcode: 'InvalidSecurity', text: `VIHF attribute ${name} is missing` });
    }
  }
  if (value('VIHF_Version') && !['3.0', '4.0'].includes(value('VIHF_Version'))) {
    problems.push({ subcode: 'InvalidSecurity', text: 'VIHF_Version must be 3.0 or 4.0' });
  }
  if (value('Authentification_Mode') && !['INDIRECTE', 'DIRECTE', 'INDIRECTE_RENFORCEE'].includes(value('Authentification_Mode'))) {
    problems.push({ subcode: 'InvalidSecurity', text: 'Authentification_Mode is not a known mode' });
  }
  if (value('Secteur_Activite') && !/^[A-Z0-9_]+\^[0-2](\.\d+)+$/.test(value('Secteur_Activite'))) {
    problems.push({ subcode: 'InvalidSecurity', text: 'Secteur_Activite must be code^OID' });
  }
  if (value('Ressource_URN') && value('Ressource_URN') !== 'urn:dmp') {
    problems.push({ subcode: 'InvalidSecurity', text: 'Ressource_URN must be urn:dmp' });
  }
  for (const coded of ['urn:oasis:names:tc:xacml:2.0:subject:role', 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse']) {
    const ce = kid(kid(attrs.get(coded), NSS.saml, 'AttributeValue'), NSS.hl7, coded.endsWith('role') ? 'Role' : 'PurposeOfUse');
    if (!ce?.getAttribute('code') || !ce.getAttribute('codeSystem')) {
      problems.push({ subcode: 'InvalidSecurity', text: `VIHF attribute ${coded} must hold an HL7 CE with code and codeSystem` });
    }
  }
  const patientCx = value('urn:oasis:names:tc:xacml:2.0:resource:resource-id');
  const m = /^([0-9AB]{15})\^\^\^&(1\.2\.250\.1\.213\.1\.4\.(?:8|9|10|11))&ISO\^NH$/.exec(patientCx);
  if (patientCx && (!m || !insKeyValid(m[1] ?? ''))) {
    problems.push({ subcode: 'InvalidSecurity', text: 'resource-id must be an INS CX (15 characters with a valid key, INS OID, NH)' });
  }
  return { problems, ...(patientCx ? { patientCx } : {}), ...(org ? { signerOrganization: org } : {}) };
};
