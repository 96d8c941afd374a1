/**
 * Reading the DMP's answers (pure): the ebRS RegistryResponse of ITI-41, the AdhocQueryResponse of ITI-18 and
 * SOAP 1.2 faults, and classifying XDS error codes into the gateway's catalogue (standards.md §4.2, §4.8).
 */
import type { Element } from '@xmldom/xmldom';
import { errorDefinition } from '../errors/index.js';
import { NS, STATUS } from './constants.js';
import { childNs, childrenNs, parseXml, text } from './dom.js';

export interface RegistryError {
  readonly errorCode: string;
  readonly codeContext: string;
  readonly severity: 'error' | 'warning';
  readonly location?: string;
}

export type SoapAnswer =
  | { readonly kind: 'registryResponse'; readonly status: 'success' | 'partialSuccess' | 'failure'; readonly errors: readonly RegistryError[] }
  | { readonly kind: 'queryResponse'; readonly status: 'success' | 'partialSuccess' | 'failure'; readonly errors: readonly RegistryError[]; readonly entries: readonly QueryEntry[] }
  | { readonly kind: 'fault'; readonly code: string; readonly subcodes: readonly string[]; readonly reason: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface QueryEntry {
  readonly entryUuid: string;
  readonly uniqueId?: string;
  readonly status: 'approved' | 'deprecated' | 'other';
}

const statusOf = (s: string | null | undefined): 'success' | 'partialSuccess' | 'failure' | undefined =>
  s === STATUS.success ? 'success' : s === STATUS.partialSuccess ? 'partialSuccess' : s === STATUS.failure ? 'failure' : undefined;

const errorsOf = (resp: Element): RegistryError[] =>
  childrenNs(childNs(resp, NS.rs, 'RegistryErrorList'), NS.rs, 'RegistryError').map((e) => ({
    errorCode: e.getAttribute('errorCode') ?? '',
    codeContext: e.getAttribute('codeContext') ?? '',
    severity: /Warning$/.test(e.getAttribute('severity') ?? '') ? 'warning' : 'error',
    ...(e.getAttribute('location') ? { location: e.getAttribute('location') as string } : {}),
  }));

/** Reads the SOAP envelope of an answer. */
export const readSoapAnswer = (envelopeXml: string): SoapAnswer => {
  let root: Element | null;
  try {
    root = parseXml(envelopeXml).documentElement;
  } catch (e) {
    return { kind: 'unreadable', reason: (e as Error).message };
  }
  if (!root || root.namespaceURI !== NS.soap || root.localName !== 'Envelope') {
    return { kind: 'unreadable', reason: 'not a SOAP 1.2 envelope' };
  }
  const body = childNs(root, NS.soap, 'Body');
  const fault = childNs(body, NS.soap, 'Fault');
  if (fault) {
    const code = childNs(fault, NS.soap, 'Code');
    const subcodes: string[] = [];
    for (let sc = childNs(code, NS.soap, 'Subcode'); sc; sc = childNs(sc, NS.soap, 'Subcode')) {
      const v = text(childNs(sc, NS.soap, 'Value'));
      if (v) {
        subcodes.push(v.replace(/^[^:]*:/, ''));
      }
    }
    return {
      kind: 'fault',
      code: (text(childNs(code, NS.soap, 'Value')) ?? '').replace(/^[^:]*:/, ''),
      subcodes,
      reason: text(childNs(childNs(fault, NS.soap, 'Reason'), NS.soap, 'Text')) ?? '',
    };
  }
  const rr = childNs(body, NS.rs, 'RegistryResponse');
  if (rr) {
    const status = statusOf(rr.getAttribute('status'));
    return status ? { kind: 'registryResponse', status, errors: errorsOf(rr) } : { kind: 'unreadable', reason: 'RegistryResponse without a known status' };
  }
  const qr = childNs(body, NS.query, 'AdhocQueryResponse');
  if (qr) {
    const status = statusOf(qr.getAttribute('status'));
    if (!status) {
      return { kind: 'unreadable', reason: 'AdhocQueryResponse without a known status' };
    }
    const entries = childrenNs(childNs(qr, NS.rim, 'RegistryObjectList'), NS.rim, 'ExtrinsicObject').map((eo) => {
      const st = eo.getAttribute('status');
      const uid = childrenNs(eo, NS.rim, 'ExternalIdentifier').find((x) => x.getAttribute('identificationScheme') === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab');
      return {
        entryUuid: eo.getAttribute('id') ?? '',
        ...(uid?.getAttribute('value') ? { uniqueId: uid.getAttribute('value') as string } : {}),
        status: st === STATUS.approved ? 'approved' as const : st === STATUS.deprecated ? 'deprecated' as const : 'other' as const,
      };
    });
    return { kind: 'queryResponse', status, errors: errorsOf(qr), entries };
  }
  return { kind: 'unreadable', reason: 'the SOAP body holds neither a RegistryResponse, an AdhocQueryResponse nor a Fault' };
};

/** XDS error codes (IHE ITI TF-3 Table 4.2.4.1-2, standards.md §4.8) to catalogue codes. */
const XDS_TO_CATALOGUE: Readonly<Record<string, string>> = {
  XDSRegistryBusy: 'DMP_BUSY',
  XDSRepositoryBusy: 'DMP_BUSY',
  XDSRegistryOutOfResources: 'DMP_BUSY',
  XDSRepositoryOutOfResources: 'DMP_BUSY',
  XDSRegistryNotAvailable: 'DMP_BUSY',
  XDSRegistryError: 'DMP_SERVER_ERROR',
  XDSRepositoryError: 'DMP_SERVER_ERROR',
  XDSRegistryMetadataError: 'DMP_METADATA_REJECTED',
  XDSRepositoryMetadataError: 'DMP_METADATA_REJECTED',
  XDSMissingDocument: 'DMP_METADATA_REJECTED',
  XDSMissingDocumentMetadata: 'DMP_METADATA_REJECTED',
  XDSRegistryDuplicateUniqueIdInMessage: 'DMP_METADATA_REJECTED',
  XDSRepositoryDuplicateUniqueIdInMessage: 'DMP_METADATA_REJECTED',
  XDSNonIdenticalHash: 'DMP_HASH_MISMATCH',
  XDSUnknownPatientId: 'DMP_UNKNOWN_PATIENT',
  XDSPatientIdDoesNotMatch: 'DMP_PATIENT_ID_MISMATCH',
  XDSDuplicateUniqueIdInRegistry: 'DMP_DUPLICATE_DOCUMENT',
  XDSRegistryDeprecatedDocumentError: 'DMP_REPLACED_DOCUMENT_DEPRECATED',
  'urn:oasis:names:tc:ebxml-regrep:ErrorCode:UnresolvedReferenceException': 'DMP_REPLACED_DOCUMENT_UNKNOWN',
  UnresolvedReferenceException: 'DMP_REPLACED_DOCUMENT_UNKNOWN',
};

export interface Classified {
  readonly code: string;
  readonly retryable: boolean;
  readonly message: string;
}

/**
 * The catalogue code for a Failure: the first error (not warning) that maps to a permanent code wins over
 * transient ones, so a submission that is both malformed and hit a busy registry is not retried forever.
 */
export const classifyRegistryErrors = (errors: readonly RegistryError[]): Classified => {
  const errs = errors.filter((e) => e.severity === 'error');
  const mapped = errs.map((e) => ({ e, code: XDS_TO_CATALOGUE[e.errorCode] ?? 'DMP_REJECTED' }));
  const pick = mapped.find((m) => !errorDefinition(m.code)?.retryable) ?? mapped[0];
  if (!pick) {
    return { code: 'DMP_REJECTED', retryable: false, message: 'The DMP answered Failure without a RegistryError.' };
  }
  const def = errorDefinition(pick.code);
  return { code: pick.code, retryable: def?.retryable ?? false, message: `${pick.e.errorCode}: ${pick.e.codeContext}`.slice(0, 500) };
};

const SECURITY_SUBCODES = new Set(['InvalidSecurity', 'FailedAuthentication', 'InvalidSecurityToken', 'FailedCheck', 'SecurityTokenUnavailable', 'MessageExpired']);

export const classifyFault = (f: { code: string; subcodes: readonly string[]; reason: string }): Classified => {
  const reason = f.reason.slice(0, 300);
  if (f.subcodes.some((s) => SECURITY_SUBCODES.has(s))) {
    return { code: 'DMP_SECURITY_REJECTED', retryable: false, message: `SOAP fault ${f.subcodes.join('/')}: ${reason}` };
  }
  if (f.code === 'Receiver') {
    return { code: 'DMP_SERVER_ERROR', retryable: true, message: `SOAP Receiver fault: ${reason}` };
  }
  return { code: 'DMP_SOAP_FAULT', retryable: false, message: `SOAP ${f.code || 'unknown'} fault${f.subcodes.length ? ` ${f.subcodes.join('/')}` : ''}: ${reason}` };
};

/** Classification of an HTTP answer that is not a readable SOAP envelope. */
export const classifyHttpStatus = (status: number): Classified => {
  if (status === 503 || status === 429 || status === 502 || status === 504) {
    return { code: 'DMP_BUSY', retryable: true, message: `HTTP ${status} from the DMP` };
  }
  if (status >= 500) {
    return { code: 'DMP_SERVER_ERROR', retryable: true, message: `HTTP ${status} from the DMP` };
  }
  if (status === 401 || status === 403) {
    return { code: 'DMP_SECURITY_REJECTED', retryable: false, message: `HTTP ${status} from the DMP` };
  }
  return { code: 'DMP_HTTP_ERROR', retryable: false, message: `HTTP ${status} from the DMP` };
};
