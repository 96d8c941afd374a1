/**
 * How the simulator reads a SOAP envelope: libxml2 (libxml2-wasm) parses the bytes as received, as UTF-8 (as the
 * simulator always read them), and decides well-formedness, namespace well-formedness included; its canonical form
 * (C14N 1.0 with comments, https://www.w3.org/TR/xml-c14n) is then read into a small element tree. That form has
 * one spelling for everything (no DTD, no CDATA, no entity but the few escapes, double-quoted attributes, every
 * element with a start and an end tag), so reading it needs no second XML parser: the tree is what libxml2 parsed.
 * A document type declaration is refused (SOAP 1.2 Part 1 §5: a SOAP message has none). What libxml2 refuses
 * or cannot canonicalise (a relative namespace URI, say) is read by xmldom as before, so that its rejection
 * stays the one it was (a VIHF that is not well-formed for libxml2 is still wsse:FailedAuthentication).
 */
import { XMLSerializer, type Element } from '@xmldom/xmldom';
import { XmlC14NMode, XmlDocument } from 'libxml2-wasm';
import { parseStrict } from './xml.js';

/** What the simulator's checks use of an element. */
export interface XElement {
  readonly namespaceURI: string | null;
  readonly localName: string;
  /** Child elements, in order. */
  readonly children: readonly XElement[];
  /** The value of the attribute with this qualified name (as written), or null. */
  getAttribute(qname: string): string | null;
  /** The text of the descendants, in order (comments and processing instructions left out). */
  readonly textContent: string;
  /** The element on its own: its canonical form, with the namespaces in scope declared on its start tag. */
  serialize(): string;
}

export interface XDocument {
  readonly documentElement: XElement;
}

const TOKEN = /<\/[^>]+>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<([^\s>]+)((?:\s[^\s=]+="[^"]*")*)>|[^<]+/y;
const ATTR = /\s([^\s=]+)="([^"]*)"/g;
const ENTITY = /&(amp|lt|gt|quot|#xD|#xA|#x9);/g;
const CHARS: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#xD': '\r', '#xA': '\n', '#x9': '\t' };
const decode = (s: string): string => (s.includes('&') ? s.replace(ENTITY, (_m, e: string) => CHARS[e] ?? '') : s);
const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');

class Node implements XElement {
  readonly children: Node[] = [];
  /** Text and child elements, in order. */
  readonly content: (Node | string)[] = [];
  end = 0;
  private text: string | undefined;

  constructor(
    readonly namespaceURI: string | null,
    readonly localName: string,
    private readonly attrs: ReadonlyMap<string, string>,
    /** Namespaces in scope (prefix '' is the default namespace). */
    readonly scope: ReadonlyMap<string, string>,
    private readonly source: string,
    readonly start: number,
    private readonly tagEnd: number,
  ) {}

  getAttribute(qname: string): string | null {
    return this.attrs.get(qname) ?? null;
  }

  get textContent(): string {
    this.text ??= this.content.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
    return this.text;
  }

  serialize(): string {
    const inherited = [...this.scope].filter(([prefix]) => !this.attrs.has(prefix ? `xmlns:${prefix}` : 'xmlns'))
      .map(([prefix, uri]) => (prefix ? ` xmlns:${prefix}="${escAttr(uri)}"` : ` xmlns="${escAttr(uri)}"`)).join('');
    return `${this.source.slice(this.start, this.tagEnd - 1)}${inherited}${this.source.slice(this.tagEnd - 1, this.end)}`;
  }
}

/** Reads the canonical form of a parsed document into elements. */
const treeOf = (c14n: string): Node => {
  const stack: Node[] = [];
  let root: Node | undefined;
  TOKEN.lastIndex = 0;
  for (let at = 0; at < c14n.length; at = TOKEN.lastIndex) {
    const m = TOKEN.exec(c14n);
    const token = m?.[0];
    if (!m || token === undefined) {
      throw new Error(`unexpected canonical form at ${at}`);
    }
    const parent = stack[stack.length - 1];
    if (m[1] !== undefined) {
      const attrs = new Map<string, string>();
      let scope = parent?.scope ?? new Map<string, string>();
      let declared: Map<string, string> | undefined;
      for (const a of (m[2] ?? '').matchAll(ATTR)) {
        const name = a[1] ?? '';
        const value = decode(a[2] ?? '');
        attrs.set(name, value);
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          declared ??= new Map(scope);
          if (name === 'xmlns' && value === '') {
            declared.delete('');
          } else {
            declared.set(name === 'xmlns' ? '' : name.slice(6), value);
          }
        }
      }
      scope = declared ?? scope;
      const qname = m[1];
      const colon = qname.indexOf(':');
      const prefix = colon >= 0 ? qname.slice(0, colon) : '';
      const el = new Node(scope.get(prefix) ?? null, colon >= 0 ? qname.slice(colon + 1) : qname, attrs, scope, c14n, at, at + token.length);
      parent?.children.push(el);
      parent?.content.push(el);
      root ??= el;
      stack.push(el);
    } else if (token.startsWith('</')) {
      const el = stack.pop();
      if (!el) {
        throw new Error(`unexpected end tag at ${at}`);
      }
      el.end = at + token.length;
    } else if (parent && !token.startsWith('<')) {
      parent.content.push(decode(token));
    }
  }
  if (!root || stack.length > 0) {
    throw new Error('no complete root element in the canonical form');
  }
  return root;
};

/** The same interface over an xmldom element: documents libxml2 does not read. */
class DomElement implements XElement {
  private kids: DomElement[] | undefined;
  constructor(private readonly el: Element) {}
  get namespaceURI(): string | null {
    return this.el.namespaceURI;
  }
  get localName(): string {
    return this.el.localName ?? '';
  }
  get children(): readonly XElement[] {
    this.kids ??= Array.from(this.el.childNodes).filter((n): n is Element => n.nodeType === 1).map((n) => new DomElement(n));
    return this.kids;
  }
  getAttribute(qname: string): string | null {
    return this.el.getAttribute(qname);
  }
  get textContent(): string {
    return this.el.textContent ?? '';
  }
  serialize(): string {
    return new XMLSerializer().serializeToString(this.el);
  }
}

class DtdRefused extends Error {}

/** Parses `bytes`, refusing a DTD; throws an Error saying why it cannot be read. */
export const readXml = (bytes: Uint8Array): XDocument => {
  try {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      // A UTF-8 byte order mark: read by xmldom, as it always was (which refuses it as content before the root).
      throw new Error('byte order mark');
    }
    const doc = XmlDocument.fromBuffer(bytes, { encoding: 'utf-8' });
    try {
      if (doc.dtd) {
        throw new DtdRefused('a document type declaration is not allowed');
      }
      return { documentElement: treeOf(doc.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_1_0, withComments: true })) };
    } finally {
      doc.dispose();
    }
  } catch (e) {
    if (e instanceof DtdRefused) {
      throw e;
    }
    const root = parseStrict(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')).documentElement;
    if (!root) {
      throw new Error('no root element', { cause: e });
    }
    return { documentElement: new DomElement(root) };
  }
};
