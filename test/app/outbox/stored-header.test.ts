/**
 * The CDA header read by the document worker from its gate's parse is stored with the document and handed to the
 * DMP route, which then does not parse the document again (issue 9). A document stored before (null header, a
 * legacy row) is read by the route as before. Both must give the same ITI-41 message, byte for byte.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XdsDmpRoute, type PreparedIti41 } from '../../../src/adapters/dmp/xds-route.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { DocumentWorker } from '../../../src/adapters/workers/pool.js';
import { deliverOne, type DeliverDeps } from '../../../src/app/outbox/deliver.js';
import { processReceived, type ProcessDeps } from '../../../src/app/outbox/process.js';
import type { DeliveryOutcome, DeliveryRequest, DmpRoute, RegistryLookup } from '../../../src/app/ports.js';
import { evaluateIdentity } from '../../../src/core/ins/gate.js';
import { cdaToMhdBundle, readCdaHeader, type CdaHeader } from '../../../src/core/xds/index.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock, sequentialIds } from '../../helpers/clock.js';
import { loadReport, testSettings } from '../../fixtures/cda/settings.js';
import { pki, routeOptions } from '../../adapters/dmp/setup.js';

const ACCEPTED = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10'];
const NOW = '2026-03-01T10:00:00.000Z';

/** An XDS route whose ids and clock start over for every message, so that two deliveries can be compared. */
const deterministicRoute = (): XdsDmpRoute => {
  const ids = sequentialIds('00000000-0000-4000-9000-');
  return new XdsDmpRoute(routeOptions(pki(), 'https://127.0.0.1:9', { clock: { now: () => new Date(NOW) }, ids }));
};

/** A DMP route that prepares the real ITI-41 message (metadata, VIHF, XAdES, MTOM parts) and keeps it, unsent. */
class PreparingRoute implements DmpRoute {
  readonly requests: DeliveryRequest[] = [];
  readonly prepared: PreparedIti41[] = [];
  async submit(request: DeliveryRequest): Promise<DeliveryOutcome> {
    this.requests.push(request);
    const p = await deterministicRoute().prepare(request);
    if (p.kind !== 'iti41') {
      return p.outcome;
    }
    this.prepared.push(p);
    return { kind: 'delivered', entryUuid: p.mainEntryId, answer: '' };
  }
  findByUniqueId(): Promise<RegistryLookup> {
    return Promise.resolve({ found: false });
  }
}

const worker = new DocumentWorker({ cdaSettings: testSettings, gate: {} });
after(() => worker.close());

/** Receives, processes (document worker: build, gate, header) and delivers the TSH report in a database. */
const runOnce = async (t: TestDb, legacy: boolean): Promise<{ route: PreparingRoute; stored: unknown }> => {
  const clock = new FixedClock(NOW);
  const ids = sequentialIds();
  const transmissions = new TransmissionStore(t.db, clock, ids);
  const outbox = new OutboxStore(t.db);
  const report = loadReport('tsh');
  await transmissions.receive(
    { id: 'in-1', sender: report.sender, messageId: report.messageId, contentType: 'application/json', raw: Buffer.from(JSON.stringify(report)) },
    [{ id: 'tr-1', reportIndex: 0, accession: report.accessionNumber, insHash: 'h', reportJson: JSON.stringify(report) }],
    { actor: 'sil:test' },
  );
  const p: ProcessDeps = {
    db: t.db, transmissions, outbox, clock, ids,
    identityGate: (r) => evaluateIdentity(r.patient, { acceptedOids: ACCEPTED }),
    build: () => Promise.reject(new Error('buildChecked is used')),
    validator: { validate: () => Promise.reject(new Error('buildChecked is used')) },
    buildChecked: (r, v) => worker.buildChecked(r, v),
    formatTime: (x) => x.toISOString().replace('Z', '+00:00'),
  };
  for (const x of await outbox.claimReceived('p', clock.now(), new Date(clock.now().getTime() + 1000), 10)) {
    assert.equal(await processReceived(p, x), 'ready');
  }
  if (legacy) {
    await t.db.execute('UPDATE documents SET cda_header = NULL');
  }
  const stored = (await t.db.query<{ cda_header: unknown }>('SELECT cda_header FROM documents'))[0]?.cda_header;
  const route = new PreparingRoute();
  const d: DeliverDeps = {
    db: t.db, transmissions, outbox, route, clock, ids,
    retry: { baseMs: 1000, maxDelayMs: 60000, maxAttempts: 4, maxAgeMs: 24 * 3600 * 1000 },
    leaseMs: 30000, random: () => 0.5, owner: 'test',
  };
  for (const x of await outbox.claim('test', clock.now(), new Date(clock.now().getTime() + 30000), 10)) {
    assert.equal(await deliverOne(d, x), 'delivered');
  }
  return { route, stored };
};

for (const engine of ENGINES) {
  describe(`delivery with the CDA header stored with the document (${engine.name})`, () => {
    it('a stored header and a null one (legacy row) give the same ITI-41 message', async () => {
      const a = await engine.open();
      const b = await engine.open();
      try {
        const kept = await runOnce(a, false);
        const legacy = await runOnce(b, true);
        assert.equal(typeof kept.stored, 'string');
        assert.equal(legacy.stored, null);
        const [withHeader] = kept.route.requests;
        const [without] = legacy.route.requests;
        assert.ok(withHeader && without);
        assert.equal(withHeader.documentXml, without.documentXml);
        // The header handed to the route is the one xmldom reads from the document.
        assert.deepEqual(withHeader.header, readCdaHeader(withHeader.documentXml).header);
        assert.equal(without.header, undefined);
        const [x, y] = [kept.route.prepared[0], legacy.route.prepared[0]];
        assert.ok(x && y);
        assert.match(x.bodyXml, /<rim:ExtrinsicObject /, 'a DocumentEntry');
        assert.equal(x.bodyXml, y.bodyXml);
        assert.equal(x.vihfXml, y.vihfXml);
        assert.deepEqual(x.attachments, y.attachments);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  });
}

describe('the DMP routes use a given header instead of parsing the document', () => {
  const xml = (async () => (await worker.buildChecked(loadReport('tsh'), { documentId: '1.2.250.1.999.1.1.7', setId: '1.2.250.1.999.1.1', versionNumber: 1, effectiveTime: '2021-01-04T16:10:00+01:00' })))();
  const request = (documentXml: string, header?: CdaHeader): DeliveryRequest => ({
    transmissionId: 't', documentXml, documentUniqueId: '1.2.250.1.999.1.1.7', setId: '1.2.250.1.999.1.1', versionNumber: 1, report: loadReport('tsh'), ...(header ? { header } : {}),
  });

  it('XDS: the given header is what the metadata is built from, when it names this document', async () => {
    const { built, header } = await xml;
    assert.ok(header);
    const body = (p: Awaited<ReturnType<XdsDmpRoute['prepare']>>): string => (p.kind === 'iti41' ? p.bodyXml : p.outcome.kind);
    const parsed = body(await deterministicRoute().prepare(request(built.xml)));
    assert.match(parsed, /<rim:ExtrinsicObject /);
    assert.equal(body(await deterministicRoute().prepare(request(built.xml, header))), parsed);
    // A changed title shows that the header given is used, not the document's…
    assert.match(body(await deterministicRoute().prepare(request(built.xml, { ...header, title: 'Titre du header' }))), /value="Titre du header"/);
    // …unless it names another document: then the document is read.
    assert.equal(body(await deterministicRoute().prepare(request(built.xml, { ...header, uniqueId: '1.2.3', title: 'Titre du header' }))), parsed);
    // A given header that lacks what the metadata needs is refused as the document would be.
    const { legalAuthenticator: _dropped, ...noLegal } = header;
    const refused = await deterministicRoute().prepare(request(built.xml, noLegal));
    assert.equal(refused.kind === 'outcome' ? refused.outcome.kind === 'rejected' && refused.outcome.code : '', 'DMP_METADATA_INVALID');
  });

  it('MHD: the same bundle from the given header as from the document', async () => {
    const { built, header } = await xml;
    assert.ok(header);
    const input = { xml: built.xml, settings: routeOptions(pki(), 'https://x').xds, visibility: [], ids: { list: 'a', documentReference: 'b', binary: 'c', submissionSet: 'd' }, now: new Date(NOW) };
    const parsed = cdaToMhdBundle(input);
    assert.ok(parsed.bundle);
    assert.deepEqual(cdaToMhdBundle({ ...input, header }), parsed);
    assert.match(JSON.stringify(cdaToMhdBundle({ ...input, header: { ...header, title: 'Titre du header' } }).bundle), /Titre du header/);
  });
});
