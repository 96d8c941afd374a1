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
