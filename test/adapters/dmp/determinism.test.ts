import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XdsDmpRoute, type PreparedIti41 } from '../../../src/adapters/dmp/xds-route.js';
import { example, pki, request, routeOptions } from './setup.js';

describe('ITI-41 message is a pure function of the input, ids and clock', () => {
  it('two preparations with the same ids and time give the same bytes (metadata, VIHF, XAdES, MIME ids)', async () => {
    const p = pki();
    const make = (): XdsDmpRoute => {
      let n = 0;
      return new XdsDmpRoute(routeOptions(p, 'https://127.0.0.1:9', {
        clock: { now: () => new Date('2026-03-01T08:00:00Z') },
        ids: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` },
      }));
    };
    const xml = example('TSH_1');
    const a = (await make().prepare(request(xml, 'x'))) as PreparedIti41;
    const b = (await make().prepare(request(xml, 'x'))) as PreparedIti41;
    assert.equal(a.kind, 'iti41');
    assert.equal(a.bodyXml, b.bodyXml);
    assert.equal(a.vihfXml, b.vihfXml);
    assert.deepEqual(a.attachments, b.attachments);
    assert.equal(a.boundary, b.boundary);
    assert.match(a.bodyXml, /<rim:Value>20260301080000<\/rim:Value>/);
    assert.match(a.vihfXml, /IssueInstant="2026-03-01T08:00:00.000Z"/);
    // A different clock changes the signed parts.
    let n = 0;
    const later = new XdsDmpRoute(routeOptions(p, 'https://127.0.0.1:9', { clock: { now: () => new Date('2026-03-01T08:00:01Z') }, ids: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` } }));
    const c = (await later.prepare(request(xml, 'x'))) as PreparedIti41;
    assert.notEqual(c.vihfXml, a.vihfXml);
    assert.notDeepEqual(c.attachments[1], a.attachments[1]);
  });
});
