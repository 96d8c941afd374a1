import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildMtom, headerParam, parseMultipart, soapPartOf } from '../../../src/adapters/dmp/mtom.js';
import { readMultipart } from '../../../conformance/dmp/mime.js';

describe('MTOM/XOP packaging', () => {
  // Bytes that look like MIME on purpose: CRLFs, a fake boundary line, non-UTF-8 bytes.
  const doc = Buffer.concat([Buffer.from('<a>\r\n--not-the-boundary\r\n\r\n'), Buffer.from([0xff, 0x00, 0xe9]), Buffer.from('</a>')]);
  const m = buildMtom('<env/>', [{ contentId: 'doc-1@x', contentType: 'text/xml', bytes: doc }], { boundary: 'B0undary', rootId: 'root@x', action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b' });

  it('declares the XOP root part and the action in the Content-Type', () => {
    assert.equal(headerParam(m.contentType, 'type'), 'application/xop+xml');
    assert.equal(headerParam(m.contentType, 'start'), '<root@x>');
    assert.equal(headerParam(m.contentType, 'start-info'), 'application/soap+xml');
    assert.equal(headerParam(m.contentType, 'action'), 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
  });

  it('keeps the attachment bytes exactly, read by the gateway and by the simulator', () => {
    const ours = parseMultipart(m.body, m.contentType);
    assert.equal(ours.length, 2);
    assert.equal(ours[0]?.headers['content-type'], 'application/xop+xml; charset=UTF-8; type="application/soap+xml"');
    assert.deepEqual(ours[1]?.body, doc);
    const theirs = readMultipart(m.contentType, m.body);
    assert.equal(theirs.start, 'root@x');
    assert.deepEqual(theirs.parts.map((p) => p.contentId), ['root@x', 'doc-1@x']);
    assert.deepEqual(theirs.parts[1]?.bytes, doc);
    assert.equal(soapPartOf(m.body, m.contentType), '<env/>');
  });

  it('refuses a multipart without boundary or without its closing delimiter', () => {
    assert.throws(() => parseMultipart(m.body, 'multipart/related'), /boundary/);
    assert.throws(() => parseMultipart(m.body.subarray(0, 60), m.contentType), /not terminated/);
    assert.throws(() => readMultipart(m.contentType, m.body.subarray(0, 60)), /truncated/);
  });
});
