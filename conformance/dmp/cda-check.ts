/** The simulator's checks of a CDA: XSD (libxml2-wasm over the ANS kit's CDA_extended.xsd) and header reading. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XmlDocument, XmlXPath, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { NSS, parseStrict } from './xml.js';

export interface CdaFacts {
  readonly id?: string;
  readonly setId?: string;
  readonly versionNumber?: number;
  readonly code?: string;
  readonly ins?: { readonly value: string; readonly oid: string };
  readonly rplcParent?: string;
}

const INS_OIDS = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

/** The header values read from every CDA, as XPaths compiled once. */
const H = { h: NSS.hl7 };
const INS = `/h:ClinicalDocument/h:recordTarget[1]/h:patientRole[1]/h:id[${INS_OIDS.map((o) => `@root='${o}'`).join(' or ')}][1]`;
const FACTS = {
  insRoot: XmlXPath.compile(`string(${INS}/@root)`, H),
  insExtension: XmlXPath.compile(`string(${INS}/@extension)`, H),
  version: XmlXPath.compile('string(/h:ClinicalDocument/h:versionNumber[1]/@value)', H),
  idRoot: XmlXPath.compile('string(/h:ClinicalDocument/h:id[1]/@root)', H),
  idExtension: XmlXPath.compile('string(/h:ClinicalDocument/h:id[1]/@extension)', H),
  setIdRoot: XmlXPath.compile('string(/h:ClinicalDocument/h:setId[1]/@root)', H),
  setIdExtension: XmlXPath.compile('string(/h:ClinicalDocument/h:setId[1]/@extension)', H),
  code: XmlXPath.compile('string(/h:ClinicalDocument/h:code[1]/@code)', H),
  parentRoot: XmlXPath.compile("string((/h:ClinicalDocument/h:relatedDocument[@typeCode='RPLC'][1]//h:id)[1]/@root)", H),
  parentExtension: XmlXPath.compile("string((/h:ClinicalDocument/h:relatedDocument[@typeCode='RPLC'][1]//h:id)[1]/@extension)", H),
};

const readFacts = (doc: XmlDocument): CdaFacts | string => {
  const root = doc.root;
  if (root.namespaceUri !== NSS.hl7 || root.name !== 'ClinicalDocument') {
    return 'the document is not a CDA ClinicalDocument';
  }
  const at = (xpath: XmlXPath): string | undefined => {
    const v = doc.eval(xpath);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const idOf = (r: string | undefined, x: string | undefined): string | undefined => (r ? (x ? `${r}^${x}` : r) : undefined);
  const insRoot = at(FACTS.insRoot);
  const version = at(FACTS.version);
  const id = idOf(at(FACTS.idRoot), at(FACTS.idExtension));
  const setId = idOf(at(FACTS.setIdRoot), at(FACTS.setIdExtension));
  const code = at(FACTS.code);
  const parent = idOf(at(FACTS.parentRoot), at(FACTS.parentExtension));
  return {
    ...(id ? { id } : {}),
    ...(setId ? { setId } : {}),
    ...(version && /^\d+$/.test(version) ? { versionNumber: Number(version) } : {}),
    ...(code ? { code } : {}),
    ...(insRoot ? { ins: { value: at(FACTS.insExtension) ?? '', oid: insRoot } } : {}),
    ...(parent ? { rplcParent: parent } : {}),
  };
};

/** What the DMP reads from a CDA: its header facts, and the XSD validity errors when a schema is given. */
export interface CdaCheck {
  readonly facts: CdaFacts;
  readonly xsd: readonly string[];
}

/**
 * Parses the CDA once, from its bytes as received (libxml2 honours the encoding they declare, as the DMP's parser
 * does), reads the header facts (XPath in C; the body, most of the bytes, is not walked in JS) and validates the
 * same tree against the schema. Returns why the document cannot be read at all, as a string.
 */
export const checkCda = (bytes: Uint8Array, schema?: CdaSchema): CdaCheck | string => {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes);
  } catch (e) {
    return `the document is not well-formed XML: ${((e as Error).message.split('\n')[0] ?? '').trim()}`;
  }
  try {
    const facts = readFacts(doc);
    return typeof facts === 'string' ? facts : { facts, xsd: schema ? schema.validate(doc) : [] };
  } finally {
    doc.dispose();
  }
};

/**
 * The CDA XSD (<kit>/infrastructure/cda/CDA_extended.xsd and its includes, read from disk), compiled once with
 * libxml2-wasm; validate() returns the schema validity errors of a parsed document (the first five), like the DMP's own check.
 */
export class CdaSchema {
  private readonly path: string;
  private validator: XsdValidator | undefined;

  constructor(ansKitDir: string) {
    this.path = join(ansKitDir, 'infrastructure', 'cda', 'CDA_extended.xsd');
    if (!existsSync(this.path)) {
      throw new Error(`CDA_extended.xsd not found under ${join(ansKitDir, 'infrastructure', 'cda')}`);
    }
  }

  private compiled(): XsdValidator {
    if (!this.validator) {
      xmlRegisterFsInputProviders();
      const schemaDoc = XmlDocument.fromBuffer(readFileSync(this.path), { url: pathToFileURL(this.path).href });
      try {
        this.validator = XsdValidator.fromDoc(schemaDoc);
      } finally {
        schemaDoc.dispose();
      }
    }
    return this.validator;
  }

  /** The schema validity errors of a parsed document (the first five). */
  validate(doc: XmlDocument): string[] {
    try {
      this.compiled().validate(doc);
      return [];
    } catch (e) {
      const details = (e as { details?: { message: string; line: number }[] }).details ?? [{ message: (e as Error).message, line: 0 }];
      return details.map((d) => `document.xml:${d.line}: validity error : ${d.message.trim()}`).slice(0, 5);
    }
  }
}

/** Code sets of the JDV (SVS files of the ANS kit), as "code|system". */
export const loadJdv = (ansKitDir: string, file: string): Set<string> => {
  const xml = readFileSync(join(ansKitDir, 'jeuxDeValeurs', file), 'utf8');
  const out = new Set<string>();
  for (const c of Array.from(parseStrict(xml).getElementsByTagNameNS('urn:ihe:iti:svs:2008', 'Concept'))) {
    out.add(`${c.getAttribute('code') ?? ''}|${c.getAttribute('codeSystem') ?? ''}`);
  }
  return out;
};
