import { createPrivateKey, type KeyObject } from 'node:crypto';

/** XML-DSig algorithm URIs for the settings dmp.signatureDigest (sha256 default, sha1 as DRIMbox does). */
export type DigestName = 'sha1' | 'sha256';

export const ALG = {
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14nWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

export const digestUri = (d: DigestName): string => (d === 'sha1' ? ALG.sha1 : ALG.sha256);
export const signatureUri = (d: DigestName): string => (d === 'sha1' ? ALG.rsaSha1 : ALG.rsaSha256);

/** What xml-crypto needs of a signing identity, prepared once per identity (not per signature). */
export interface PreparedSigner {
  /** The private key, parsed once (a PEM string would be parsed again at every signature). */
  readonly privateKey: KeyObject;
  /** KeyInfo content: the signing certificate, base64 DER, as xml-crypto would build it (without re-parsing the PEM). */
  readonly keyInfo: (o: { prefix?: string | null }) => string;
}

const prepared = new WeakMap<object, PreparedSigner>();

export const preparedSigner = (cert: { readonly keyPem: string; readonly certDerBase64: string }): PreparedSigner => {
  let p = prepared.get(cert);
  if (!p) {
    const privateKey = createPrivateKey(cert.keyPem);
    p = {
      privateKey,
      keyInfo: ({ prefix }) => {
        const x = prefix ? `${prefix}:` : '';
        return `<${x}X509Data><${x}X509Certificate>${cert.certDerBase64}</${x}X509Certificate></${x}X509Data>`;
      },
    };
    prepared.set(cert, p);
  }
  return p;
};
