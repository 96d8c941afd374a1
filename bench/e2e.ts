/**
 * Signatures a report needs on the XDS route: the VIHF assertion (RSA-SHA256) and the XAdES submission-set
 * signature. mTLS adds the client's CertificateVerify once per TLS session, not per report (kept-alive).
 */
export const SIGNATURES_PER_REPORT = 2;
