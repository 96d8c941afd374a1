/**
 * The XDS.b DMP route: ITI-41 Provide and Register Document Set-b (SOAP 1.2 + MTOM, WS-Addressing, signed
 * VIHF, XAdES submission-set signature, mutual TLS) and ITI-18 GetDocuments by uniqueId. Implements DmpRoute.
 */
import type { Clock, DeliveryOutcome, DeliveryRequest, DmpRoute, Ids, RegistryLookup } from '../../app/ports.js';
import { GatewayError } from '../../core/errors/index.js';
import {
  ACTION, buildAssociations, buildCdaDocumentEntry, buildSignatureEntry, buildSubmissionSet, classifyFault, classifyHttpStatus,
  classifyRegistryErrors, cdaHeaderFor, decideDelivery, headerNaming, getDocumentsQueryXml, provideAndRegisterXml, readSoapAnswer, uuidToOid,
  type SignatureFormatCode, type VisibilityRule, type XdsSettings,
} from '../../core/xds/index.js';
import type { DigestName } from '../signing/algorithms.js';
import type { CertificateIdentity } from '../signing/keystore.js';
import { signedVihf, type VihfSettings } from '../signing/vihf.js';
import { signSubmissionSet } from '../signing/xades.js';
import { postOnce, type HttpResult, type TlsMaterial } from './https.js';
import { buildMtom, soapPartOf, type MimeAttachment } from './mtom.js';
import { soapEnvelope } from './soap.js';

export interface XdsRouteOptions {
  /** Base URL of the DMP services, e.g. https://lps.dev9.dmp.gouv.fr/si-dmp-server/v2/services. */
  readonly endpoint: string;
  readonly repositoryPath: string;
  readonly registryPath: string;
  readonly tls: TlsMaterial;
  readonly signer: CertificateIdentity;
  readonly vihf: VihfSettings;
  readonly xds: XdsSettings;
  readonly signatureFormatCode: SignatureFormatCode;
  readonly digest: DigestName;
  readonly visibilityRules: readonly VisibilityRule[];
  readonly timeoutMs: number;
  /** INS OID used for ITI-18 lookups when only the INS value is given. */
  readonly defaultInsOid: string;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Awaited right before each request leaves (ITI-41, ITI-18): the outbox's rate limit. */
  readonly beforeRequest?: () => Promise<void>;
}

const url = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;

type Answer = { readonly ok: true; readonly envelope: string; readonly raw: string; readonly status: number } | { readonly ok: false; readonly outcome: DeliveryOutcome };

/** Turns the transport result into an envelope, or into the outcome when there is no usable SOAP answer. */
const soapAnswerOf = (r: HttpResult): Answer => {
  if (r.kind === 'not_sent') {
    return { ok: false, outcome: r.tls
      ? { kind: 'rejected', code: 'DMP_TLS_FAILED', retryable: false, message: `TLS handshake with the DMP failed (${r.reason}).` }
      : { kind: 'rejected', code: 'DMP_UNREACHABLE', retryable: true, message: `The DMP could not be reached (${r.reason}); nothing was sent.` } };
  }
  if (r.kind === 'no_answer') {
    return { ok: false, outcome: { kind: 'uncertain', code: 'DMP_NO_ANSWER', message: `Sent, but ${r.reason}; reconcile with a registry query before resending.` } };
  }
  const raw = r.body.toString('utf8');
  const isSoap = /application\/soap\+xml|multipart\/related|xop\+xml|text\/xml/i.test(r.contentType ?? '');
  if (!isSoap) {
    const c = classifyHttpStatus(r.status);
    return { ok: false, outcome: { kind: 'rejected', ...c, answer: raw } };
  }
  try {
    return { ok: true, envelope: soapPartOf(r.body, r.contentType), raw, status: r.status };
  } catch (e) {
    return { ok: false, outcome: { kind: 'uncertain', code: 'DMP_ANSWER_UNREADABLE', message: `The DMP answer cannot be read: ${(e as Error).message}` } };
  }
};

/** The parts of an ITI-41 message before packaging (see XdsDmpRoute.prepare). */
export interface PreparedIti41 {
  readonly kind: 'iti41';
  readonly to: string;
  readonly messageId: string;
  readonly vihfXml: string;
  readonly bodyXml: string;
  readonly attachments: readonly MimeAttachment[];
  readonly boundary: string;
  readonly rootId: string;
  readonly mainEntryId: string;
}

/** The outcome of an ITI-41 exchange, from the transport result (standards.md §4.2, §4.8). */
export const iti41Outcome = (result: HttpResult, mainEntryId: string, certificateFingerprint: string): DeliveryOutcome => {
  const a = soapAnswerOf(result);
  if (!a.ok) {
    return a.outcome;
  }
  const answer = readSoapAnswer(a.envelope);
  switch (answer.kind) {
    case 'registryResponse':
      if (answer.status === 'failure') {
        return { kind: 'rejected', ...classifyRegistryErrors(answer.errors), answer: a.raw };
      }
      return { kind: 'delivered', entryUuid: mainEntryId, answer: a.raw, certificateFingerprint };
    case 'fault':
      return { kind: 'rejected', ...classifyFault(answer), answer: a.raw };
    case 'queryResponse':
    case 'unreadable':
      if (a.status >= 400) {
        return { kind: 'rejected', ...classifyHttpStatus(a.status), answer: a.raw };
      }
      return { kind: 'uncertain', code: 'DMP_ANSWER_UNREADABLE', message: answer.kind === 'unreadable' ? answer.reason : 'unexpected AdhocQueryResponse to ITI-41' };
  }
};

export class XdsDmpRoute implements DmpRoute {
  constructor(private readonly o: XdsRouteOptions) {}

  private vihf(ins: { value: string; oid: string }): string {
    return signedVihf(this.o.signer, this.o.vihf, { assertionId: `_${this.o.ids.uuid()}`, issueInstant: this.o.clock.now(), patientIns: ins });
  }

  async submit(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const prepared = await this.prepare(request);
    if (prepared.kind === 'outcome') {
      return prepared.outcome;
    }
    return this.transmit(prepared);
  }

  /**
   * Everything before the network: the decision (opposition), the metadata, the RPLC target (ITI-18), the
   * XAdES and VIHF signatures. Returns the parts of the ITI-41 message, or the outcome when nothing is to be sent.
   */
  async prepare(request: DeliveryRequest): Promise<{ kind: 'outcome'; outcome: DeliveryOutcome } | PreparedIti41> {
    const stop = (outcome: DeliveryOutcome): { kind: 'outcome'; outcome: DeliveryOutcome } => ({ kind: 'outcome', outcome });
    const decision = decideDelivery(request.report, this.o.visibilityRules);
    if (decision.kind !== 'send') {
      return stop({ kind: 'rejected', code: 'DMP_PATIENT_OPPOSED', retryable: false, message: decision.reason });
    }
    const bytes = Buffer.from(request.documentXml, 'utf8');
    // The header read when the document was built, when it is this document's; else the document is parsed.
    const { header, issues } = cdaHeaderFor(request.documentXml, headerNaming(request.header, request.documentUniqueId));
    const entryUuid = `urn:uuid:${this.o.ids.uuid()}`;
    const built = header ? buildCdaDocumentEntry({ header, bytes, entryUuid, visibility: decision.visibility, settings: this.o.xds }) : { issues };
    const allIssues = [...issues, ...built.issues].filter((i) => i.severity === 'error');
    if (!header?.ins || !built.entry || allIssues.length > 0) {
      return stop({ kind: 'rejected', code: 'DMP_METADATA_INVALID', retryable: false, message: allIssues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'XDS metadata cannot be built.' });
    }
    const main = built.entry;
    const ins = { value: header.ins.value, oid: this.o.xds.patientIdOid ?? header.ins.oid };

    // RPLC: the entryUUID of the replaced version, from ITI-18 (standards.md §4.6 step 1).
    let replacesEntryUuid: string | undefined;
    const replaces = request.replacesUniqueId ?? header.replacesUniqueId;
    if (replaces) {
      try {
        const found = await this.lookup(replaces, ins);
        if (!found.found || !found.entryUuid) {
          return stop({ kind: 'rejected', code: 'DMP_REPLACED_DOCUMENT_UNKNOWN', retryable: false, message: 'The document to replace was not found in the DMP (ITI-18 by uniqueId).' });
        }
        replacesEntryUuid = found.entryUuid;
      } catch (e) {
        if (e instanceof GatewayError) {
          return stop({ kind: 'rejected', code: e.code, retryable: e.retryable, message: `ITI-18 lookup of the replaced document: ${e.message}` });
        }
        throw e;
      }
    }

    const now = this.o.clock.now();
    const ssUuid = this.o.ids.uuid();
    const ss = buildSubmissionSet({ id: `urn:uuid:${ssUuid}`, uniqueId: uuidToOid(ssUuid), submissionTime: now, main, settings: this.o.xds });
    const sigUuid = this.o.ids.uuid();
    const sigUniqueId = uuidToOid(sigUuid);
    const xades = Buffer.from(signSubmissionSet(this.o.signer, { signatureId: sigUniqueId, submissionSetUniqueId: ss.uniqueId, documents: [{ uniqueId: main.uniqueId, bytes }], signingTime: now, digest: this.o.digest }), 'utf8');
    const sigEntry = buildSignatureEntry({ entryUuid: `urn:uuid:${sigUuid}`, uniqueId: sigUniqueId, bytes: xades, main, submissionTime: now, formatCode: this.o.signatureFormatCode });
    const associations = buildAssociations(ss, [main, sigEntry], {
      ids: { next: () => `urn:uuid:${this.o.ids.uuid()}` }, mainEntryId: main.id, signatureEntryId: sigEntry.id, ...(replacesEntryUuid ? { replacesEntryUuid } : {}),
    });
    const cidDoc = `doc-${this.o.ids.uuid()}@dmp-gateway`;
    const cidSig = `sig-${this.o.ids.uuid()}@dmp-gateway`;
    const bodyXml = provideAndRegisterXml({ submissionSet: ss, documents: [main, sigEntry], associations }, { [main.id]: cidDoc, [sigEntry.id]: cidSig });
    return {
      kind: 'iti41',
      to: url(this.o.endpoint, this.o.repositoryPath),
      messageId: `urn:uuid:${this.o.ids.uuid()}`,
      vihfXml: this.vihf(ins),
      bodyXml,
      attachments: [
        { contentId: cidDoc, contentType: 'text/xml', bytes },
        { contentId: cidSig, contentType: 'text/xml', bytes: xades },
      ],
      boundary: `MIMEBoundary_${this.o.ids.uuid().replace(/-/g, '')}`,
      rootId: `root-${this.o.ids.uuid()}@dmp-gateway`,
      mainEntryId: main.id,
    };
  }

  /** Sends a prepared ITI-41 and classifies the answer. */
  async transmit(p: PreparedIti41): Promise<DeliveryOutcome> {
    const envelope = soapEnvelope({ action: ACTION.iti41, messageId: p.messageId, to: p.to, vihfXml: p.vihfXml, bodyXml: p.bodyXml });
    const mtom = buildMtom(envelope, p.attachments, { boundary: p.boundary, rootId: p.rootId, action: ACTION.iti41 });
    await this.o.beforeRequest?.();
    const result = await postOnce(p.to, mtom.body, { 'content-type': mtom.contentType, 'mime-version': '1.0' }, this.o.tls, this.o.timeoutMs);
    return iti41Outcome(result, p.mainEntryId, this.o.signer.fingerprint256);
  }

  findByUniqueId(uniqueId: string, ins: string): Promise<RegistryLookup> {
    const m = /^([0-9AB]{15})(?:\^\^\^&([0-9.]+)&ISO)?/i.exec(ins.trim());
    return this.lookup(uniqueId, { value: m?.[1] ?? ins, oid: m?.[2] ?? this.o.defaultInsOid });
  }

  /** ITI-18 GetDocuments by uniqueId. Throws GatewayError with a catalogue code when there is no usable answer. */
  private async lookup(uniqueId: string, ins: { value: string; oid: string }): Promise<RegistryLookup> {
    const to = url(this.o.endpoint, this.o.registryPath);
    const envelope = soapEnvelope({ action: ACTION.iti18, messageId: `urn:uuid:${this.o.ids.uuid()}`, to, vihfXml: this.vihf(ins), bodyXml: getDocumentsQueryXml(uniqueId) });
    await this.o.beforeRequest?.();
    const result = await postOnce(to, Buffer.from(envelope, 'utf8'), { 'content-type': `application/soap+xml; charset=UTF-8; action="${ACTION.iti18}"` }, this.o.tls, this.o.timeoutMs);
    const a = soapAnswerOf(result);
    if (!a.ok) {
      const o = a.outcome;
      throw o.kind === 'delivered' ? new GatewayError('DMP_ANSWER_UNREADABLE') : new GatewayError(o.code, o.message);
    }
    const answer = readSoapAnswer(a.envelope);
    if (answer.kind === 'fault') {
      const c = classifyFault(answer);
      throw new GatewayError(c.code, c.message);
    }
    if (answer.kind !== 'queryResponse') {
      throw new GatewayError('DMP_ANSWER_UNREADABLE', answer.kind === 'unreadable' ? answer.reason : 'expected an AdhocQueryResponse');
    }
    if (answer.status === 'failure') {
      const c = classifyRegistryErrors(answer.errors);
      throw new GatewayError(c.code, c.message);
    }
    const entry = answer.entries.find((e) => e.status === 'approved') ?? answer.entries[0];
    if (!entry) {
      return { found: false };
    }
    return { found: true, entryUuid: entry.entryUuid, ...(entry.status !== 'other' ? { status: entry.status } : {}) };
  }
}
