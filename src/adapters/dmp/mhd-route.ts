/**
 * The MHD DMP route: ITI-65 Provide Document Bundle (PDSm comprehensive, standards.md §4.9) sent with
 * fhir-kit-client over mutual TLS (an undici dispatcher with the structure's authentication certificate).
 * The FHIR DMP mapping is a draft (PDSM4DMP v0.1.0): a second route, chosen per destination (dmp.route).
 */
import { Client } from 'fhir-kit-client';
import { Agent } from 'undici';
import type { Clock, DeliveryOutcome, DeliveryRequest, DmpRoute, Ids, RegistryLookup } from '../../app/ports.js';
import { GatewayError } from '../../core/errors/index.js';
import { cdaToMhdBundle, decideDelivery, headerNaming, type FhirJson, type VisibilityRule, type XdsSettings } from '../../core/xds/index.js';
import type { TlsMaterial } from './https.js';

export interface MhdRouteOptions {
  /** FHIR base of the DMP (ITI-65 is POST [base]). */
  readonly endpoint: string;
  readonly tls: TlsMaterial;
  readonly xds: XdsSettings;
  readonly visibilityRules: readonly VisibilityRule[];
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Awaited right before each request leaves (ITI-65): the outbox's rate limit. */
  readonly beforeRequest?: () => Promise<void>;
}

interface FhirError {
  readonly response?: { readonly status?: number; readonly data?: unknown };
  readonly code?: string;
  readonly cause?: { readonly code?: string; readonly message?: string };
  readonly message?: string;
}

const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HANDSHAKE|ALERT/i;

export class MhdDmpRoute implements DmpRoute {
  private readonly client: Client;
  private readonly dispatcher: Agent;

  constructor(private readonly o: MhdRouteOptions) {
    this.dispatcher = new Agent({ connect: { key: o.tls.keyPem, cert: o.tls.certChainPem, ca: o.tls.caPem, rejectUnauthorized: true, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } });
    this.client = new Client({ baseUrl: o.endpoint });
  }

  async submit(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const decision = decideDelivery(request.report, this.o.visibilityRules);
    if (decision.kind !== 'send') {
      return { kind: 'rejected', code: 'DMP_PATIENT_OPPOSED', retryable: false, message: decision.reason };
    }
    const documentReference = this.o.ids.uuid();
    // The header read when the document was built, when it is this document's; else the document is parsed.
    const stored = headerNaming(request.header, request.documentUniqueId);
    const built = cdaToMhdBundle({
      xml: request.documentXml, settings: this.o.xds, visibility: decision.visibility, now: this.o.clock.now(),
      ids: { list: this.o.ids.uuid(), documentReference, binary: this.o.ids.uuid(), submissionSet: this.o.ids.uuid() },
      ...(request.replacesUniqueId ? { replacesUniqueId: request.replacesUniqueId } : {}),
      ...(stored ? { header: stored } : {}),
    });
    const errors = built.issues.filter((i) => i.severity === 'error');
    if (!built.bundle || errors.length > 0) {
      return { kind: 'rejected', code: 'DMP_METADATA_INVALID', retryable: false, message: errors.map((i) => `${i.path}: ${i.message}`).join('; ') || 'The MHD bundle cannot be built.' };
    }
    return this.sendBundle(built.bundle, `urn:uuid:${documentReference}`);
  }

  /** POSTs an ITI-65 transaction Bundle and classifies the answer. */
  async sendBundle(bundle: FhirJson, entryUuid: string): Promise<DeliveryOutcome> {
    try {
      await this.o.beforeRequest?.();
      const answer = await this.client.transaction({
        body: bundle as never,
        options: { dispatcher: this.dispatcher, signal: AbortSignal.timeout(this.o.timeoutMs) },
      });
      return { kind: 'delivered', entryUuid, answer: JSON.stringify(answer) };
    } catch (e) {
      return this.classify(e as FhirError);
    }
  }

  private classify(e: FhirError): DeliveryOutcome {
    const status = e.response?.status;
    if (status !== undefined) {
      const answer = typeof e.response?.data === 'string' ? e.response.data : JSON.stringify(e.response?.data ?? null);
      const text = answer ?? '';
      const xds = /XDS[A-Za-z]+|UnresolvedReferenceException/.exec(text)?.[0];
      const byXds: Readonly<Record<string, string>> = {
        XDSDuplicateUniqueIdInRegistry: 'DMP_DUPLICATE_DOCUMENT', XDSRegistryDeprecatedDocumentError: 'DMP_REPLACED_DOCUMENT_DEPRECATED', UnresolvedReferenceException: 'DMP_REPLACED_DOCUMENT_UNKNOWN',
        XDSUnknownPatientId: 'DMP_UNKNOWN_PATIENT', XDSPatientIdDoesNotMatch: 'DMP_PATIENT_ID_MISMATCH', XDSNonIdenticalHash: 'DMP_HASH_MISMATCH', XDSRegistryBusy: 'DMP_BUSY', XDSRegistryError: 'DMP_SERVER_ERROR',
      };
      const code = (xds ? byXds[xds] : undefined) ?? (status === 503 || status === 429 || status === 502 || status === 504 ? 'DMP_BUSY' : status >= 500 ? 'DMP_SERVER_ERROR' : status === 401 || status === 403 ? 'DMP_SECURITY_REJECTED' : status === 422 || status === 400 ? 'DMP_METADATA_REJECTED' : 'DMP_HTTP_ERROR');
      const def = new GatewayError(code);
      return { kind: 'rejected', code, retryable: def.retryable, message: `HTTP ${status}${xds ? ` ${xds}` : ''} from the DMP (MHD)`, answer: text };
    }
    const why = `${e.cause?.code ?? e.code ?? ''} ${e.cause?.message ?? e.message ?? ''}`.trim();
    if (TLS.test(why)) {
      return { kind: 'rejected', code: 'DMP_TLS_FAILED', retryable: false, message: `TLS handshake with the DMP failed (${why}).` };
    }
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(why)) {
      return { kind: 'rejected', code: 'DMP_UNREACHABLE', retryable: true, message: `The DMP could not be reached (${why}); nothing was sent.` };
    }
    return { kind: 'uncertain', code: 'DMP_NO_ANSWER', message: `Sent, but no usable answer (${why || 'timeout'}); reconcile before resending.` };
  }

  /**
   * ITI-67 Find Document References by uniqueId (masterIdentifier) for the patient's INS, current or superseded
   * (MHD ITI-67 §2:3.67.4.1.2: patient.identifier and status are required). `ins` in CX form (value^^^&oid&ISO).
   * Throws GatewayError with a catalogue code when there is no usable answer (the send then stays uncertain).
   */
  async findByUniqueId(uniqueId: string, ins: string): Promise<RegistryLookup> {
    const cx = /^([0-9AB]{15})\^\^\^&([0-9.]+)&ISO/i.exec(ins.trim());
    if (!cx) {
      throw new GatewayError('DMP_METADATA_INVALID', 'The registry query needs the patient INS with its authority (value^^^&oid&ISO).');
    }
    let bundle: { entry?: { resource?: { resourceType?: string; id?: string; masterIdentifier?: { value?: string }; status?: string } }[] };
    try {
      await this.o.beforeRequest?.();
      bundle = (await this.client.search({
        resourceType: 'DocumentReference',
        searchParams: { 'patient.identifier': `urn:oid:${cx[2] ?? ''}|${cx[1] ?? ''}`, identifier: `urn:ietf:rfc:3986|urn:oid:${uniqueId}`, status: 'current,superseded' },
        options: { dispatcher: this.dispatcher, signal: AbortSignal.timeout(this.o.timeoutMs) },
      })) as typeof bundle;
    } catch (e) {
      const o = this.classify(e as FhirError);
      throw new GatewayError(o.kind === 'delivered' ? 'DMP_ANSWER_UNREADABLE' : o.code, `Registry query (ITI-67): ${o.kind === 'delivered' ? 'no usable answer' : o.message}`);
    }
    const matches = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === 'DocumentReference' && r.masterIdentifier?.value === `urn:oid:${uniqueId}`);
    const entry = matches.find((r) => r?.status === 'current') ?? matches[0];
    if (!entry) {
      return { found: false };
    }
    return { found: true, ...(entry.id ? { entryUuid: `urn:uuid:${entry.id}` } : {}), status: entry.status === 'current' ? 'approved' : 'deprecated' };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
