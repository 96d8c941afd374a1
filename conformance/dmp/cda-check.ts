/** The simulator's checks of a CDA: XSD (libxml2-wasm over the ANS kit's CDA_extended.xsd) and header reading. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
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

const readFacts = (doc: XmlDocument): CdaFacts | string => {
  const root = doc.root;
  if (root.namespaceUri !== NSS.hl7 || root.name !== 'ClinicalDocument') {
    return 'the document is not a CDA ClinicalDocument';
  }
  const ns = { h: NSS.hl7 };
  const at = (xpath: string): string | undefined => {
    const v = doc.eval(`string(${xpath})`, ns);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const idOf = (el: string): string | undefined => {
    const r = at(`${el}/@root`);
    const x = at(`${el}/@extension`);
    return r ? (x ? `${r}^${x}` : r) : undefined;
  };
  const ins = `/h:ClinicalDocument/h:recordTarget[1]/h:patientRole[1]/h:id[${INS_OIDS.map((o) => `@root='${o}'`).join(' or ')}][1]`;
  const insRoot = at(`${ins}/@root`);
  const version = at('/h:ClinicalDocument/h:versionNumber[1]/@value');
  const id = idOf('/h:ClinicalDocument/h:id[1]');
  const setId = idOf('/h:ClinicalDocument/h:setId[1]');
  const code = at('/h:ClinicalDocument/h:code[1]/@code');
  const parent = idOf("(/h:ClinicalDocument/h:relatedDocument[@typeCode='RPLC'][1]//h:id)[1]");
  return {
    ...(id ? { id } : {}),
    ...(setId ? { setId } : {}),
    ...(version && /^\d+$/.test(version) ? { versionNumber: Number(version) } : {}),
    ...(code ? { code } : {}),
    ...(insRoot ? { ins: { value: at(`${ins}/@extension`) ?? '', oid: insRoot } } : {}),
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
