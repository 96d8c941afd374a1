/**
 * The submission-set signature: an IHE DSG detached XML-DSig with XAdES signed properties, carried as its own
 * DocumentEntry and linked by a `signs` association (standards.md §4.5, after DRIMbox utils/XadesSign.java).
 * Manifest references: the submission set (urn:oid:uniqueId, placeholder digest as DRIMbox does: a submission
 * set has no bytes of its own) and each document (urn:oid:uniqueId, digest of the exact bytes sent).
 */
import { GatewayError } from '../../core/errors/index.js';
import { NS, SIGNATURE_ENTRY } from '../../core/xds/constants.js';
import { ALG, digestUri, preparedSigner, signatureUri, type DigestName } from './algorithms.js';
import { canonicalizeInScope, DSIG_NS, signatureValueOf, signedInfoXml, type DsigReference } from './dsig.js';
import { digestBase64, type CertificateIdentity } from './keystore.js';

export interface XadesRequest {
  /** ds:Signature/@Id = the signature DocumentEntry uniqueId. */
  readonly signatureId: string;
  readonly submissionSetUniqueId: string;
  readonly documents: readonly { readonly uniqueId: string; readonly bytes: Uint8Array }[];
  readonly signingTime: Date;
  readonly digest: DigestName;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const MANIFEST_ID = 'IHEManifest';
export const SIGNED_PROPERTIES_ID = 'S0-SignedProperties';

export const signSubmissionSet = (cert: CertificateIdentity, r: XadesRequest): string => {
  const dm = digestUri(r.digest);
  const ref = (uri: string, value: string): string =>
    `<ds:Reference URI="${esc(uri)}"><ds:DigestMethod Algorithm="${dm}"/><ds:DigestValue>${value}</ds:DigestValue></ds:Reference>`;
  const manifest = `<ds:Manifest Id="${MANIFEST_ID}">${ref(`urn:oid:${r.submissionSetUniqueId}`, 'AA==')}${r.documents
    .map((d) => ref(`urn:oid:${d.uniqueId}`, digestBase64(r.digest, d.bytes)))
    .join('')}</ds:Manifest>`;
  const certDigest = digestBase64(r.digest, Buffer.from(cert.certDerBase64, 'base64'));
  const signedProperties = `<xades:SignedProperties Id="${SIGNED_PROPERTIES_ID}">`
    + '<xades:SignedSignatureProperties>'
    + `<xades:SigningTime>${r.signingTime.toISOString()}</xades:SigningTime>`
    + `<xades:SigningCertificate><xades:Cert><xades:CertDigest><xades:DigestMethod Algorithm="${dm}"/><xades:DigestValue>${certDigest}</xades:DigestValue></xades:CertDigest>`
    + `<xades:IssuerSerial><ds:X509IssuerName>${esc(cert.issuerDn)}</ds:X509IssuerName><ds:X509SerialNumber>${cert.serialDecimal}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>`
    + '<xades:SignaturePolicyIdentifier><xades:SignaturePolicyImplied/></xades:SignaturePolicyIdentifier>'
    + '</xades:SignedSignatureProperties><xades:SignedDataObjectProperties/></xades:SignedProperties>';
  const qualifying = `<xades:QualifyingProperties xmlns:xades="${NS.xades}" Target="#${esc(r.signatureId)}">${signedProperties}</xades:QualifyingProperties>`;
  const purpose = `<ds:SignatureProperties><ds:SignatureProperty Id="purposeOfSignature" Target="#${esc(r.signatureId)}">${SIGNATURE_ENTRY.purposeOfSignature}</ds:SignatureProperty></ds:SignatureProperties>`;
  try {
    const prepared = preparedSigner(cert);
    const objects = [purpose, manifest, qualifying].map((o) => `<ds:Object>${o}</ds:Object>`).join('');
    const open = `<ds:Signature Id="${esc(r.signatureId)}" xmlns:ds="${DSIG_NS}">`;
    // The references point into the signature's own ds:Object elements, canonicalised as they are there:
    // inclusive C14N renders the namespaces in scope, ds (declared on ds:Signature), and xades on SignedProperties.
    const reference = (id: string, type: string, fragment: string, inScope: Record<string, string>): DsigReference => ({
      uri: `#${id}`, type, transforms: [ALG.c14nWithComments], digestAlgorithm: dm,
      digestValue: digestBase64(r.digest, canonicalizeInScope(fragment, inScope, ALG.c14nWithComments)),
    });
    const signedInfo = signedInfoXml(ALG.c14nWithComments, signatureUri(r.digest), [
      reference(MANIFEST_ID, 'http://www.w3.org/2000/09/xmldsig#Manifest', manifest, { ds: DSIG_NS }),
      reference(SIGNED_PROPERTIES_ID, 'http://uri.etsi.org/01903/v1.1.1#SignedProperties', signedProperties, { ds: DSIG_NS, xades: NS.xades }),
    ]);
    const value = signatureValueOf(signedInfo, ALG.c14nWithComments, prepared.privateKey, r.digest);
    return `<?xml version="1.0" encoding="UTF-8"?>${open}${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo>${prepared.keyInfo({ prefix: 'ds' })}</ds:KeyInfo>${objects}</ds:Signature>`;
  } catch (e) {
    throw new GatewayError('DMP_SIGNATURE_FAILED', 'The submission-set signature could not be made.', { cause: e });
  }
};
