/**
 * How the simulator reads the SOAP envelope of an ITI-41 (conformance/dmp/xml-read.ts): libxml2 decides
 * well-formedness and refuses a DTD; what libxml2 cannot canonicalise is read as before, and the same rejection
 * follows. Real gateway-built requests, edited, posted over mutual TLS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postOnce, type HttpResult } from '../../../src/adapters/dmp/https.js';
import { buildMtom } from '../../../src/adapters/dmp/mtom.js';
import { ACTION, soapEnvelope } from '../../../src/adapters/dmp/soap.js';
import type { PreparedIti41, XdsRouteOptions } from '../../../src/adapters/dmp/xds-route.js';
import { XdsDmpRoute } from '../../../src/adapters/dmp/xds-route.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import type { TestPki } from '../../../certs/pki.js';
import { pki, request, routeOptions, startSim, uniqueCopy } from './setup.js';

describe('simulator: reading the SOAP envelope', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let o: XdsRouteOptions;
  before(async () => {
    p = pki();
    sim = await startSim(p);
    o = routeOptions(p, sim.url);
  });
  after(async () => sim.close());

  /** A fresh ITI-41, its envelope edited by `edit`, posted as MTOM. */
  const post = async (edit: (envelope: string) => string): Promise<{ status: number; text: string; stored: boolean; id: string }> => {
    const { xml, id } = uniqueCopy('TSH_1');
    const pp = await new XdsDmpRoute(o).prepare(request(xml, id));
    assert.equal(pp.kind, 'iti41');
    const prepared: PreparedIti41 = pp;
    const envelope = soapEnvelope({ action: ACTION.iti41, messageId: prepared.messageId, to: prepared.to, vihfXml: prepared.vihfXml, bodyXml: prepared.bodyXml });
    const edited = edit(envelope);
    assert.notEqual(edited, envelope, 'the case changes the envelope');
    const mtom = buildMtom(edited, prepared.attachments, { boundary: prepared.boundary, rootId: prepared.rootId, action: ACTION.iti41 });
    const r: HttpResult = await postOnce(prepared.to, mtom.body, { 'content-type': mtom.contentType, 'mime-version': '1.0' }, o.tls, 30_000);
    assert.equal(r.kind, 'answer');
    return { status: r.status, text: r.body.toString('utf8'), stored: sim.store.byUniqueId(id) !== undefined, id };
  };

  it('accepts the envelope as the gateway builds it', async () => {
    const r = await post((e) => e.replace('<soap:Body', '<!-- a comment --><soap:Body'));
    assert.equal(r.status, 200);
    assert.ok(r.stored, r.text);
  });

  it('refuses a document type declaration (SOAP 1.2: a message has none) with a Sender fault, storing nothing', async () => {
    const r = await post((e) => e.replace(/^(<\?xml[^>]*\?>)?/, '$1<!DOCTYPE soap:Envelope>'));
    assert.equal(r.status, 500);
    assert.match(r.text, /Sender[\s\S]*document type declaration is not allowed/);
    assert.ok(!r.stored);
  });

  it('refuses an envelope that is not well-formed with a Sender fault', async () => {
    const r = await post((e) => e.replace('</soap:Body>', '</soap:Bod>'));
    assert.equal(r.status, 500);
    assert.match(r.text, /Sender[\s\S]*not well-formed/);
    assert.ok(!r.stored);
  });

  it('refuses, as it always did, an envelope after a UTF-8 byte order mark (Sender fault)', async () => {
    const r = await post((e) => `\uFEFF${e}`);
    assert.equal(r.status, 500);
    assert.match(r.text, /Sender[\s\S]*not well-formed/);
    assert.ok(!r.stored);
  });

  it('reads an envelope libxml2 cannot canonicalise (a relative namespace URI in the body) as before: accepted', async () => {
    const r = await post((e) => e.replace('<soap:Body', '<soap:Body xmlns:rel="relative/uri"'));
    assert.equal(r.status, 200);
    assert.ok(r.stored, r.text);
  });

  it('still answers wsse:FailedAuthentication for a VIHF libxml2 refuses (an empty namespace prefix binding on the assertion)', async () => {
    const r = await post((e) => e.replace(/<(saml2?):Assertion /, '<$1:Assertion xmlns:empty="" '));
    assert.equal(r.status, 500);
    assert.match(r.text, /FailedAuthentication[\s\S]*VIHF signature does not verify/);
    assert.ok(!r.stored);
  });
});
