/**
 * A strict DMP simulator (XDS.b ITI-41, ITI-18; MHD ITI-65) over real TLS that requires a client certificate
 * from the test CA. Its checks use its own parsing code and libxml2 (libxml2-wasm), never the
 * gateway's builders. State persists under dataDir. `GET /_sim/documents` lists what it holds; `POST /_sim/faults`
 * makes the next N answers fail (503, a timeout, a lost answer after storing, or a given XDS error code);
 * `POST /_sim/patients {"withoutDmp": [INS…], "withDmp": [INS…]}` sets which patients have no open DMP.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CdaSchema, loadJdv } from './cda-check.js';
import { readSubmission } from './ebrim-read.js';
import { handleMhd } from './mhd.js';
import { findDocumentReferences } from './mhd-search.js';
import { readMultipart } from './mime.js';
import { checkSubmission, type RuleContext } from './rules.js';
import { mtomAnswer, queryResponse, registryResponse, soapFault } from './soap-out.js';
import { SimStore } from './store.js';
import { checkVihf } from './vihf-check.js';
import { kid, kids, NSS, txt } from './xml.js';
import { readXml } from './xml-read.js';

export interface SimulatorPki {
  readonly caBundle: string;
  readonly entities: { readonly dmpServer: { readonly cert: string; readonly key: string } };
}

export interface DmpSimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  readonly dataDir: string;
  readonly pki: SimulatorPki;
  /** Folder of the ANS CDA kit (infrastructure/cda/CDA_extended.xsd, jeuxDeValeurs/). */
  readonly ansKitDir: string;
  /** INS (15 characters) of patients without an open DMP: XDSUnknownPatientId. */
  readonly unknownPatients?: readonly string[];
  /** How long a "timeout" fault holds the request before dropping the connection (default 120 s). */
  readonly holdMs?: number;
}

export type FaultKind = 'http503' | 'timeout' | 'lost_answer' | 'xds';
export interface Fault {
  readonly kind: FaultKind;
  readonly errorCode?: string;
  readonly codeContext?: string;
}

export interface DmpSimulator {
  readonly url: string;
  readonly port: number;
  readonly store: SimStore;
  /** Queue faults for the next answers. */
  inject(fault: Fault, count?: number): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> => new Promise((ok, ko) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.byteLength;
    if (size > limit) {
      ko(new Error('body too large'));
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => ok(Buffer.concat(chunks)));
  req.on('error', ko);
});

const send = (res: ServerResponse, status: number, contentType: string, body: string | Buffer): void => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
};

const sendFault = (res: ServerResponse, code: 'Sender' | 'Receiver', subcode: string | undefined, reason: string): void =>
  send(res, 500, 'application/soap+xml; charset=UTF-8', soapFault(code, subcode, reason));

export const startDmpSimulator = async (o: DmpSimulatorOptions): Promise<DmpSimulator> => {
  const store = new SimStore(o.dataDir);
  const schema = new CdaSchema(o.ansKitDir);
  const codeSets = {
    facility: loadJdv(o.ansKitDir, 'JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml'),
    practice: loadJdv(o.ansKitDir, 'JDV_J04_XdsPracticeSettingCode_CISIS.xml'),
    confidentiality: loadJdv(o.ansKitDir, 'JDV_J08_XdsConfidentialityCode_CISIS.xml'),
  };
  const unknownPatients = new Set(o.unknownPatients ?? []);
  const faults: Fault[] = [];
  // Every ITI request received, with its arrival time: tests check how hard the gateway pushed.
  const requests: { route: string; at: number }[] = [];
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const ctx = (): RuleContext => ({ store, schema, codeSets, caBundle: o.pki.caBundle, unknownPatients, now: new Date() });
  let queue: Promise<void> = Promise.resolve();
  /** Registry updates are serialised (one submission at a time), like a registry transaction. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.then(() => undefined, () => undefined);
    return run;
  };

  const hold = (res: ServerResponse): void => {
    held.add(res);
    const t = setTimeout(() => {
      held.delete(res);
      res.socket?.destroy();
    }, o.holdMs ?? 120_000);
    res.on('close', () => {
      clearTimeout(t);
      held.delete(res);
    });
  };

  const soapOf = (req: IncomingMessage, body: Buffer): { envelope: Buffer; parts: Map<string, Buffer>; mtom: boolean } => {
    const ct = req.headers['content-type'] ?? '';
    if (/^multipart\/related/i.test(ct)) {
      const mp = readMultipart(ct, body);
      if (!/application\/xop\+xml/i.test(mp.type ?? '')) {
        throw new Error('multipart/related must have type="application/xop+xml" (MTOM)');
      }
      const root = (mp.start ? mp.parts.find((p) => p.contentId === mp.start) : undefined) ?? mp.parts[0];
      if (!root) {
        throw new Error('empty multipart body');
      }
      const parts = new Map<string, Buffer>();
      for (const p of mp.parts) {
        if (p !== root && p.contentId) {
          parts.set(p.contentId, p.bytes);
        }
      }
      return { envelope: root.bytes, parts, mtom: true };
    }
    if (/^application\/soap\+xml/i.test(ct)) {
      return { envelope: body, parts: new Map(), mtom: false };
    }
    throw new Error(`unsupported content type ${ct || '(none)'}`);
  };

  const handleSoap = async (req: IncomingMessage, res: ServerResponse, kind: 'iti41' | 'iti18', fault: Fault | undefined): Promise<void> => {
    const body = await readBody(req);
    let soap;
    try {
      soap = soapOf(req, body);
    } catch (e) {
      sendFault(res, 'Sender', undefined, (e as Error).message);
      return;
    }
    if (kind === 'iti41' && !soap.mtom) {
      sendFault(res, 'Sender', undefined, 'ITI-41 must be sent as MTOM/XOP (multipart/related)');
      return;
    }
    let doc;
    try {
      doc = readXml(soap.envelope);
    } catch (e) {
      sendFault(res, 'Sender', undefined, `the SOAP envelope is not well-formed: ${(e as Error).message}`);
      return;
    }
    const envelope = doc.documentElement;
    if (!envelope || envelope.namespaceURI !== NSS.soap || envelope.localName !== 'Envelope') {
      sendFault(res, 'Sender', 'VersionMismatch', 'a SOAP 1.2 envelope is required');
      return;
    }
    const header = kid(envelope, NSS.soap, 'Header');
    const action = txt(kid(header, NSS.wsa, 'Action'));
    const messageId = txt(kid(header, NSS.wsa, 'MessageID'));
    const expected = kind === 'iti41' ? 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b' : 'urn:ihe:iti:2007:RegistryStoredQuery';
    if (action !== expected || !messageId || !txt(kid(header, NSS.wsa, 'To'))) {
      sendFault(res, 'Sender', 'ActionNotSupported', `WS-Addressing Action must be ${expected}, with MessageID and To`);
      return;
    }
    const vihf = checkVihf(doc, o.pki.caBundle, new Date());
    if (vihf.problems.length > 0) {
      const first = vihf.problems.find((p) => p.subcode === 'FailedAuthentication') ?? vihf.problems[0];
      sendFault(res, 'Sender', `wsse:${first?.subcode ?? 'InvalidSecurity'}`, vihf.problems.map((p) => p.text).join('; '));
      return;
    }
    const tlsOrg = /(?:^|\n)O=([^\n]*)/.exec((req.socket as TLSSocket).getPeerX509Certificate?.()?.subject ?? '')?.[1];
    if (tlsOrg && vihf.signerOrganization && tlsOrg !== vihf.signerOrganization) {
      sendFault(res, 'Sender', 'wsse:FailedAuthentication', 'the VIHF is signed by another organisation than the TLS client');
      return;
    }
    const bodyEl = kid(envelope, NSS.soap, 'Body');
    if (kind === 'iti18') {
      const q = kid(bodyEl, NSS.query, 'AdhocQueryRequest');
      const adhoc = kid(q, NSS.rim, 'AdhocQuery');
      if (!adhoc || !['urn:uuid:5c4f972b-987b-4a36-b4f3-e4a7b8a3e6b5', 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d'].includes(adhoc.getAttribute('id') ?? '')) {
        send(res, 200, 'application/soap+xml; charset=UTF-8', queryResponse(messageId, [], [{ errorCode: 'XDSUnknownStoredQuery', codeContext: 'only GetDocuments and FindDocuments are supported' }]));
        return;
      }
      if (fault?.kind === 'xds') {
        send(res, 200, 'application/soap+xml; charset=UTF-8', queryResponse(messageId, [], [{ errorCode: fault.errorCode ?? 'XDSRegistryError', codeContext: fault.codeContext ?? 'injected fault' }]));
        return;
      }
      const slot = kids(adhoc, NSS.rim, 'Slot').find((s) => s.getAttribute('name') === '$XDSDocumentEntryUniqueId');
      const values = kids(kid(slot, NSS.rim, 'ValueList'), NSS.rim, 'Value').flatMap((v) => [...txt(v).matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'")));
      if (values.length === 0) {
        send(res, 200, 'application/soap+xml; charset=UTF-8', queryResponse(messageId, [], [{ errorCode: 'XDSStoredQueryMissingParam', codeContext: '$XDSDocumentEntryUniqueId is required' }]));
        return;
      }
      const found = store.all().filter((d) => values.includes(d.uniqueId) && d.patientId === vihf.patientCx);
      send(res, 200, 'application/soap+xml; charset=UTF-8', queryResponse(messageId, found));
      return;
    }
    const request = kid(bodyEl, NSS.xdsb, 'ProvideAndRegisterDocumentSetRequest');
    if (!request) {
      sendFault(res, 'Sender', undefined, 'the body must hold a ProvideAndRegisterDocumentSetRequest');
      return;
    }
    const answer = (errors: Parameters<typeof registryResponse>[1]): void => {
      const m = mtomAnswer(registryResponse(messageId, errors), `sim_${randomUUID()}`);
      send(res, 200, m.contentType, m.body);
    };
    if (fault?.kind === 'xds') {
      answer([{ errorCode: fault.errorCode ?? 'XDSRegistryError', codeContext: fault.codeContext ?? 'injected fault' }]);
      return;
    }
    const result = await serial(() => {
      const r = checkSubmission(readSubmission(request), soap.parts, vihf.patientCx, ctx());
      if (r.errors.length === 0) {
        store.commit(r.accepted, new Date());
      }
      return Promise.resolve(r);
    });
    if (fault?.kind === 'lost_answer') {
      hold(res);
      return;
    }
    answer(result.errors);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/_sim/documents') {
      send(res, 200, 'application/json', JSON.stringify({ documents: store.all().map((d) => ({
        entryUuid: d.entryUuid, uniqueId: d.uniqueId, setId: d.setId, versionNumber: d.versionNumber, patientIns: d.patientIns, status: d.status,
        receivedAt: d.receivedAt, deprecatedAt: d.deprecatedAt, replaces: d.replaces, replacedBy: d.replacedBy, confidentialityCodes: d.confidentialityCodes,
        title: d.title, route: d.route, signatureVerified: d.signatureVerified, size: d.size, hash: d.hash,
      })) }));
      return;
    }
    if (req.method === 'GET' && path === '/_sim/requests') {
      send(res, 200, 'application/json', JSON.stringify({ requests, faultsQueued: faults.length }));
      return;
    }
    if (req.method === 'POST' && path === '/_sim/faults') {
      const f = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Partial<Fault> & { count?: number };
      if (!f.kind || !['http503', 'timeout', 'lost_answer', 'xds'].includes(f.kind)) {
        send(res, 400, 'application/json', JSON.stringify({ error: 'kind must be http503, timeout, lost_answer or xds' }));
        return;
      }
      const fault: Fault = { kind: f.kind, ...(f.errorCode ? { errorCode: f.errorCode } : {}), ...(f.codeContext ? { codeContext: f.codeContext } : {}) };
      sim.inject(fault, f.count ?? 1);
      send(res, 200, 'application/json', JSON.stringify({ queued: faults.length }));
      return;
    }
    if (req.method === 'POST' && path === '/_sim/patients') {
      const b = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { withoutDmp?: unknown; withDmp?: unknown };
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && /^[0-9AB]{15}$/.test(x)) : []);
      list(b.withoutDmp).forEach((i) => unknownPatients.add(i));
      list(b.withDmp).forEach((i) => unknownPatients.delete(i));
      send(res, 200, 'application/json', JSON.stringify({ withoutDmp: [...unknownPatients] }));
      return;
    }
    const route = /\/repository\/?$/.test(path) ? 'iti41' : /\/registry\/?$/.test(path) ? 'iti18' : /\/fhir\/?$/.test(path) ? 'iti65' : /\/fhir\/DocumentReference\/?$/.test(path) ? 'iti67' : undefined;
    if (!route || req.method !== (route === 'iti67' ? 'GET' : 'POST')) {
      send(res, 404, 'text/plain', 'not found');
      return;
    }
    requests.push({ route, at: Date.now() });
    const fault = faults.shift();
    if (fault?.kind === 'http503') {
      await readBody(req);
      send(res, 503, 'text/html', '<html><body>503 Service Unavailable</body></html>');
      return;
    }
    if (fault?.kind === 'timeout') {
      await readBody(req);
      hold(res);
      return;
    }
    if (route === 'iti67') {
      if (fault?.kind === 'lost_answer') {
        hold(res);
        return;
      }
      if (fault?.kind === 'xds') {
        send(res, 500, 'application/fhir+json', JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: `${fault.errorCode ?? 'XDSRegistryError'}: ${fault.codeContext ?? 'injected fault'}` }] }));
        return;
      }
      const search = findDocumentReferences(new URL(req.url ?? '/', 'https://sim').searchParams, store, `https://${req.headers.host ?? 'sim'}${path.replace(/\/DocumentReference\/?$/, '')}`);
      send(res, search.status, 'application/fhir+json', JSON.stringify(search.body));
      return;
    }
    if (route === 'iti65') {
      await handleMhd(req, res, await readBody(req), { ctx: ctx(), serial, fault, hold });
      return;
    }
    await handleSoap(req, res, route, fault);
  };

  const server: Server = createServer({
    key: o.pki.entities.dmpServer.key,
    cert: o.pki.entities.dmpServer.cert,
    ca: o.pki.caBundle,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  }, (req, res) => {
    handler(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        sendFault(res, 'Receiver', undefined, `simulator error: ${(e as Error).message}`);
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sim: DmpSimulator = {
    url: `https://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    inject: (fault, count = 1) => {
      for (let i = 0; i < count; i++) {
        faults.push(fault);
      }
    },
    close: async () => {
      for (const r of held) {
        r.socket?.destroy();
      }
      for (const s of sockets) {
        s.destroy();
      }
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
  return sim;
};
