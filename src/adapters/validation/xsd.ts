/**
 * CDA XSD validation in-process with xmllint-wasm (libxml2 compiled to WebAssembly): the kit's
 * infrastructure/cda/CDA_extended.xsd and everything it includes are loaded once into xmllint's in-memory
 * file system. Errors carry the XPath of the element on the reported line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { xpathOf } from '../../core/cda/rules.js';
import { issue, type Issue } from '../../core/validation/issue.js';

const MAIN = 'CDA_extended.xsd';
const DOC = 'document.xml';

const loadSchemas = (dir: string): XMLFileInfo[] => {
  const out: XMLFileInfo[] = [];
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else if (e.name.endsWith('.xsd')) {
        out.push({ fileName: path.relative(dir, full).split(path.sep).join('/'), contents: readFileSync(full) });
      }
    }
  };
  walk(dir);
  return out;
};

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
  private readonly schema: XMLFileInfo;
  private readonly preload: XMLFileInfo[];

  /** `kitDir` is the ANS TestContenuCDA folder (with infrastructure/cda). Throws when the XSD is absent. */
  constructor(kitDir: string) {
    const all = loadSchemas(path.join(kitDir, 'infrastructure', 'cda'));
    const main = all.find((f) => f.fileName === MAIN);
    if (!main) {
      throw new Error(`${MAIN} not found under ${path.join(kitDir, 'infrastructure', 'cda')}`);
    }
    this.schema = main;
    this.preload = all.filter((f) => f !== main);
  }

  async validate(xml: string): Promise<Issue[]> {
    const r = await validateXML({ xml: [{ fileName: DOC, contents: xml }], schema: [this.schema], preload: this.preload, maxMemoryPages: 16384 });
    if (r.valid) {
      return [];
    }
    const own = r.errors.filter((e) => e.loc?.fileName === DOC || e.rawMessage.startsWith(DOC));
    const list = own.length > 0 ? own : r.errors.filter((e) => !/parser warning/.test(e.rawMessage));
    return list.map((e) =>
      issue('error', 'CDA_XSD', e.loc ? elementAtLine(xml, e.loc.lineNumber) : '/', e.message.replace(/\{urn:hl7-org:v3\}/g, '').trim()),
    );
  }
}
