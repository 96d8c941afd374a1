/** Answers of the simulated DMP: RegistryResponse, AdhocQueryResponse and SOAP faults. */
import type { SimDocument } from './store.js';
import type { XdsError } from './rules.js';
import { esc, NSS } from './xml.js';

const env = (action: string, relatesTo: string | undefined, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NSS.soap}" xmlns:wsa="${NSS.wsa}"><soap:Header>`
  + `<wsa:Action soap:mustUnderstand="true">${esc(action)}</wsa:Action>${relatesTo ? `<wsa:RelatesTo>${esc(relatesTo)}</wsa:RelatesTo>` : ''}`
  + `</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;

const errorList = (errors: readonly XdsError[]): string => errors.length === 0 ? '' : `<rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error">${errors
  .map((e) => `<rs:RegistryError errorCode="${esc(e.errorCode)}" codeContext="${esc(e.codeContext)}" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"${e.location ? ` location="${esc(e.location)}"` : ''}/>`)
  .join('')}</rs:RegistryErrorList>`;

export const registryResponse = (relatesTo: string | undefined, errors: readonly XdsError[]): string =>
  env('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse', relatesTo,
    `<rs:RegistryResponse xmlns:rs="${NSS.rs}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:${errors.length ? 'Failure' : 'Success'}">${errorList(errors)}</rs:RegistryResponse>`);

export const queryResponse = (relatesTo: string | undefined, docs: readonly SimDocument[], errors: readonly XdsError[] = []): string =>
  env('urn:ihe:iti:2007:RegistryStoredQueryResponse', relatesTo,
    `<query:AdhocQueryResponse xmlns:query="${NSS.query}" xmlns:rim="${NSS.rim}" xmlns:rs="${NSS.rs}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:${errors.length ? 'Failure' : 'Success'}">${errorList(errors)}<rim:RegistryObjectList>${docs
      .map((d) => `<rim:ExtrinsicObject id="${esc(d.entryUuid)}" mimeType="text/xml" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1" status="urn:oasis:names:tc:ebxml-regrep:StatusType:${d.status === 'approved' ? 'Approved' : 'Deprecated'}">`
        + `<rim:ExternalIdentifier id="${esc(d.entryUuid)}-pid" registryObject="${esc(d.entryUuid)}" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="${esc(d.patientId)}"/>`
        + `<rim:ExternalIdentifier id="${esc(d.entryUuid)}-uid" registryObject="${esc(d.entryUuid)}" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="${esc(d.uniqueId)}"/>`
        + '</rim:ExtrinsicObject>')
      .join('')}</rim:RegistryObjectList></query:AdhocQueryResponse>`);

export const soapFault = (code: 'Sender' | 'Receiver', subcode: string | undefined, reason: string): string =>
  env('http://www.w3.org/2005/08/addressing/soap/fault', undefined,
    `<soap:Fault><soap:Code><soap:Value>soap:${code}</soap:Value>${subcode ? `<soap:Subcode><soap:Value xmlns:wsse="${NSS.wsse}">${esc(subcode)}</soap:Value></soap:Subcode>` : ''}</soap:Code>`
    + `<soap:Reason><soap:Text xml:lang="fr">${esc(reason)}</soap:Text></soap:Reason></soap:Fault>`);

/** The answer as MTOM (as a CXF-based DMP does when the request was MTOM). */
export const mtomAnswer = (envelope: string, boundary: string): { contentType: string; body: Buffer } => ({
  contentType: `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<root.message@dmp-sim>"; start-info="application/soap+xml"`,
  body: Buffer.from(`--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root.message@dmp-sim>\r\n\r\n${envelope}\r\n--${boundary}--\r\n`, 'utf8'),
});
