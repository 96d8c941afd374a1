/**
 * CDA XSD validation in-process with libxml2-wasm (libxml2 compiled to WebAssembly): the kit's
 * infrastructure/cda/CDA_extended.xsd (and everything it includes, read from disk) is compiled once, then
 * each document is validated against the compiled schema (milliseconds, where re-reading the schema set per
 * document cost over a second). Errors carry the XPath of the element on the reported line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { xpathOf } from '../../core/cda/rules.js';
import { issue, type Issue } from '../../core/validation/issue.js';

const MAIN = 'CDA_extended.xsd';
let fsProviders = false;

/** The element whose start tag is on `line` (or the last one before it). */
const elementAtLine = (xml: string, line: number): string => {
  let doc;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  } catch {
    return '/';
  }
  let best: Element | undefined;
  const walk = (e: Element): void => {
    const l = (e as unknown as { lineNumber?: number }).lineNumber ?? 0;
    if (l <= line) {
      best = e;
      for (let c = e.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 1) {
          walk(c as Element);
        }
      }
    }
  };
  if (doc.documentElement) {
    walk(doc.documentElement);
  }
  return best ? xpathOf(best) : '/';
};

export class CdaXsdValidator {
  private readonly schemaPath: string;
  private validator: XsdValidator | undefined;

  /** `kitDir` is the ANS TestContenuCDA folder (with infrastructure/cda). Throws when the XSD is absent. */
  constructor(kitDir: string) {
    this.schemaPath = path.join(kitDir, 'infrastructure', 'cda', MAIN);
    if (!existsSync(this.schemaPath)) {
      throw new Error(`${MAIN} not found under ${path.dirname(this.schemaPath)}`);
    }
  }

  /** The compiled schema, built on first use and kept. */
  private compiled(): XsdValidator {
    if (!this.validator) {
      if (!fsProviders) {
        // xs:include / xs:import are read from disk, relative to the schema's file URL.
        xmlRegisterFsInputProviders();
        fsProviders = true;
      }
      const url = pathToFileURL(this.schemaPath).href;
      const schemaDoc = XmlDocument.fromBuffer(readSchema(this.schemaPath), { url });
      try {
        this.validator = XsdValidator.fromDoc(schemaDoc);
      } finally {
        schemaDoc.dispose();
      }
    }
    return this.validator;
  }

  validate(xml: string): Promise<Issue[]> {
    this.compiled();
    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromString(xml);
    } catch (e) {
      return Promise.resolve(this.notWellFormed(e));
    }
    try {
      return Promise.resolve(this.validateDocument(doc, xml));
    } finally {
      doc.dispose();
    }
  }

  /** Validates a document already parsed from `xml` (the text maps an error's line to its XPath). */
  validateDocument(doc: XmlDocument, xml: string): Issue[] {
    const validator = this.compiled();
    try {
      validator.validate(doc);
      return [];
    } catch (e) {
      const details = (e as { details?: { message: string; line: number }[] }).details ?? [{ message: (e as Error).message, line: 0 }];
      return details.map((d) => issue('error', 'CDA_XSD', d.line > 0 ? elementAtLine(xml, d.line) : '/', d.message.replace(/\{urn:hl7-org:v3\}/g, '').trim()));
    }
  }

  /** The issue for a document libxml2 cannot parse (`e`: what XmlDocument.fromString threw). */
  notWellFormed(e: unknown): Issue[] {
    this.compiled();
    return [issue('error', 'CDA_XSD', '/', `The document is not well-formed XML: ${(e as Error).message.split('\n')[0] ?? ''}`)];
  }
}

const readSchema = (p: string): Buffer => readFileSync(p);
