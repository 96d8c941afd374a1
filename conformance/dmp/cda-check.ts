/** The simulator's checks of a CDA: XSD (xmllint-wasm over the ANS kit's CDA_extended.xsd) and header reading. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { descendants, kid, kids, NSS, parseStrict } from './xml.js';

export interface CdaFacts {
  readonly id?: string;
  readonly setId?: string;
  readonly versionNumber?: number;
  readonly code?: string;
  readonly ins?: { readonly value: string; readonly oid: string };
  readonly rplcParent?: string;
}

const INS_OIDS = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

export const readCdaFacts = (xml: string): CdaFacts | string => {
  let root;
  try {
    root = parseStrict(xml).documentElement;
  } catch (e) {
    return `the document is not well-formed XML: ${(e as Error).message}`;
  }
  if (!root || root.namespaceURI !== NSS.hl7 || root.localName !== 'ClinicalDocument') {
    return 'the document is not a CDA ClinicalDocument';
  }
  const idOf = (el: ReturnType<typeof kid>): string | undefined => {
    const r = el?.getAttribute('root');
    const x = el?.getAttribute('extension');
    return r ? (x ? `${r}^${x}` : r) : undefined;
  };
  const ids = kids(kid(kid(root, NSS.hl7, 'recordTarget'), NSS.hl7, 'patientRole'), NSS.hl7, 'id');
  const insEl = ids.find((i) => INS_OIDS.includes(i.getAttribute('root') ?? ''));
  const version = kid(root, NSS.hl7, 'versionNumber')?.getAttribute('value');
  const rplc = kids(root, NSS.hl7, 'relatedDocument').find((r) => r.getAttribute('typeCode') === 'RPLC');
  const id = idOf(kid(root, NSS.hl7, 'id'));
  const setId = idOf(kid(root, NSS.hl7, 'setId'));
  const code = kid(root, NSS.hl7, 'code')?.getAttribute('code') ?? undefined;
  const parent = idOf(descendants(rplc, NSS.hl7, 'id')[0]);
  return {
    ...(id ? { id } : {}),
    ...(setId ? { setId } : {}),
    ...(version && /^\d+$/.test(version) ? { versionNumber: Number(version) } : {}),
    ...(code ? { code } : {}),
    ...(insEl ? { ins: { value: insEl.getAttribute('extension') ?? '', oid: insEl.getAttribute('root') ?? '' } } : {}),
    ...(parent ? { rplcParent: parent } : {}),
  };
};

/** Loads every XSD under <kit>/infrastructure/cda once; validate() returns the schema validity errors. */
export class CdaSchema {
  private readonly main: XMLFileInfo;
  private readonly preload: XMLFileInfo[];

  constructor(ansKitDir: string) {
    const base = join(ansKitDir, 'infrastructure', 'cda');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) {
          walk(p);
        } else if (p.endsWith('.xsd')) {
          files.push(p);
        }
      }
    };
    walk(base);
    const all = files.map((f) => ({ fileName: relative(base, f), contents: readFileSync(f, 'utf8') }));
    const main = all.find((f) => f.fileName === 'CDA_extended.xsd');
    if (!main) {
      throw new Error(`CDA_extended.xsd not found under ${base}`);
    }
    this.main = main;
    this.preload = all.filter((f) => f !== main);
  }

  async validate(xml: string): Promise<string[]> {
    const r = await validateXML({ xml: [{ fileName: 'document.xml', contents: xml }], schema: [this.main], preload: this.preload, maxMemoryPages: 16384 });
    return r.errors.map((e) => e.message).filter((m) => /validity error|parser error/i.test(m)).slice(0, 5);
  }
}

/** Code sets of the JDV (SVS files of the ANS kit), as "code|system". */
export const loadJdv = (ansKitDir: string, file: string): Set<string> => {
  const xml = readFileSync(join(ansKitDir, 'jeuxDeValeurs', file), 'utf8');
  const out = new Set<string>();
  for (const c of descendants(parseStrict(xml).documentElement, 'urn:ihe:iti:svs:2008', 'Concept')) {
    out.add(`${c.getAttribute('code') ?? ''}|${c.getAttribute('codeSystem') ?? ''}`);
  }
  return out;
};
