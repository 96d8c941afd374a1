/** writeXml: the compact writer of the ebRIM and VIHF messages — escaping, forbidden characters, and xmldom's bytes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DOMImplementation, DOMParser, XMLSerializer, type Document } from '@xmldom/xmldom';
import { el, writeXml, xmlSafe } from '../../../src/core/cda/xml.js';

const strictParse = (xml: string): Document => new DOMParser({ onError: (level, msg) => {
  if (level !== 'warning') {
    throw new Error(msg);
  }
} }).parseFromString(xml, 'text/xml');

// eslint-disable-next-line no-control-regex
const NOT_XML_1_0 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('writeXml', () => {
  it('escapes text and attribute values, self-closes empty elements, keeps attribute order', () => {
    const xml = writeXml(el('p:a', { 'xmlns:p': 'urn:x', z: 'a&b<c>"d\'', a: 'tab\there\nline\rcr', skipped: undefined },
      el('p:b', {}, 'x & y < z > w "q"'), el('p:c'), el('p:d', {}, '')));
    assert.equal(xml,
      '<p:a xmlns:p="urn:x" z="a&amp;b&lt;c&gt;&quot;d\'" a="tab&#9;here&#10;line&#13;cr">'
      + '<p:b>x &amp; y &lt; z &gt; w "q"</p:b><p:c/><p:d></p:d></p:a>');
  });

  it('drops the characters XML 1.0 forbids, keeps a surrogate pair', () => {
    const xml = writeXml(el('a', { v: 'x\u0001y\uFFFE' }, 'b\u0000c\uD800d\uD83D\uDE00e'));
    assert.equal(xml, '<a v="xy">bcd\uD83D\uDE00e</a>');
    strictParse(xml);
  });

  it('whatever the text, gives the bytes xmldom wrote (values without forbidden characters) and reads back the same values', () => {
    const special = fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', '\r\n', ']]>', '\u0001', '\uD800', '\uDE00', '\uD83D\uDE00', '\uFFFE', 'é');
    const any = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 });
    fc.assert(fc.property(any, any, any, (t, v, w) => {
      const xml = writeXml(el('r:root', { 'xmlns:r': 'urn:r', v }, el('r:x', { w }, t), el('r:y')));
      const root = strictParse(xml).documentElement;
      assert.equal(root?.getAttribute('v'), xmlSafe(v));
      assert.equal(root?.firstChild?.textContent ?? '', xmlSafe(t).replace(/\r\n?/g, '\n'));
      if (!NOT_XML_1_0.test(t + v + w)) {
        const doc = new DOMImplementation().createDocument('urn:r', 'r:root', null);
        const r = doc.documentElement!;
        r.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:r', 'urn:r');
        r.setAttribute('v', v);
        const x = doc.createElementNS('urn:r', 'r:x');
        x.setAttribute('w', w);
        x.appendChild(doc.createTextNode(t));
        r.appendChild(x);
        r.appendChild(doc.createElementNS('urn:r', 'r:y'));
        assert.equal(xml, new XMLSerializer().serializeToString(r));
      }
    }), { numRuns: 300 });
  });
});
