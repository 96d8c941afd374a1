/**
 * The two writers of the small tree: writeXml (ebRIM, VIHF: compact, xmldom's bytes) and serialize (the CDA:
 * indented, fast-xml-parser XMLBuilder's bytes) — escaping, forbidden characters, and the bytes of the library each
 * replaces, on any tree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DOMImplementation, DOMParser, XMLSerializer, type Document } from '@xmldom/xmldom';
import { XMLBuilder } from 'fast-xml-parser';
import { el, serialize, writeXml, xmlSafe, type XElement, type XNode } from '../../../src/core/cda/xml.js';

const strictParse = (xml: string): Document => new DOMParser({ onError: (level, msg) => {
  if (level !== 'warning') {
    throw new Error(msg);
  }
} }).parseFromString(xml, 'text/xml');

// eslint-disable-next-line no-control-regex
const NOT_XML_1_0 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What xmldom reads back. Besides XML 1.0's line-end normalisation (CR LF and CR become LF), it also turns U+0085,
 * U+2028 and U+2029 into LF, as XML 1.1 does (lib/dom-parser.js, normalizeLineEndings); XML 1.0 parsers (libxml2, the
 * DMP's) keep them. In an attribute, our writer escapes TAB, LF and CR, so only those three reach the parser raw, and
 * attribute-value normalisation turns the LF they became into a space.
 */
const xmldomReadsText = (s: string): string => s.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028\u2029]/g, '\n');
const xmldomReadsAttribute = (s: string): string => s.replace(/[\u0085\u2028\u2029]/g, ' ');

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
    const special = fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', '\r\n', ']]>', '\u0001', '\uD800', '\uDE00', '\uD83D\uDE00', '\uFFFE', '\u0085', '\r\u0085', '\u2028', 'é');
    const any = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 });
    fc.assert(fc.property(any, any, any, (t, v, w) => {
      const xml = writeXml(el('r:root', { 'xmlns:r': 'urn:r', v }, el('r:x', { w }, t), el('r:y')));
      const root = strictParse(xml).documentElement;
      assert.equal(root?.getAttribute('v'), xmldomReadsAttribute(xmlSafe(v)));
      assert.equal(root?.firstChild?.textContent ?? '', xmldomReadsText(xmlSafe(t)));
      // Each value on its own: two lone halves in different values would pass as a pair if joined.
      if (![t, v, w].some((s) => NOT_XML_1_0.test(s))) {
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

/** What the CDA was serialised with before: fast-xml-parser's XMLBuilder on the same tree, the same options. */
interface FxpNode {
  [key: string]: FxpNode[] | Record<string, string> | string;
}
const toFxp = (node: XNode): FxpNode => {
  if (typeof node === 'string') {
    return { '#text': xmlSafe(node) };
  }
  const out: FxpNode = { [node.name]: node.children.map(toFxp) };
  if (node.attrs.length > 0) {
    out[':@'] = Object.fromEntries(node.attrs.map(([k, v]) => [`@_${k}`, xmlSafe(v)]));
  }
  return out;
};
const fxp = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true, processEntities: true });
const fxpSerialize = (root: XElement): string =>
  `${fxp.build([{ '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } }, toFxp(root)]).trimEnd()}\n`;

describe('serialize (the CDA)', () => {
  const special = fc.constantFrom('&', '<', '>', '"', "'", '/>', '</', '\n', '\u0001', '\uD800', 'é', ' ', '');
  const text = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
  const tree = fc.letrec<{ node: XNode; element: XElement }>((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, text, tie('element')),
    element: fc.record({
      name: fc.constantFrom('a', 'lab:b', 'content', 'br'),
      attrs: fc.array(fc.tuple(fc.constantFrom('x', 'y', 'xsi:type'), text), { maxLength: 2 }),
      children: fc.array(tie('node'), { maxLength: 4 }),
    }).map(({ name, attrs, children }) => el(name, Object.fromEntries(attrs), ...children)),
  }));

  it('gives the bytes XMLBuilder gave, for any tree (mixed content, empty text, markup in values)', () => {
    fc.assert(fc.property(tree.element, (root) => {
      assert.equal(serialize(root), fxpSerialize(root));
    }), { numRuns: 500 });
  });

  it('indents elements, keeps text inline, self-closes empty elements, puts mixed content on its own lines', () => {
    const root = el('r', { a: "it's" }, el('t', {}, 'x<y'), el('e'), el('m', {}, 'text', el('br'), 'more'), el('n', {}, 'a', el('br')));
    assert.equal(serialize(root), fxpSerialize(root));
    assert.equal(serialize(root), '<?xml version="1.0" encoding="UTF-8"?>\n<r a="it&apos;s">\n  <t>x&lt;y</t>\n  <e/>'
      + '\n  <m>\n    text\n    <br/>\n    more\n  </m>\n  <n>a\n    <br/>\n  </n>\n</r>\n');
  });
});
