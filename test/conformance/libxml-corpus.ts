/**
 * What the libxml2-versus-xmldom tests share: the corpus (the 19 official examples, our golden documents, the
 * broken ones) and a way to run a reader straight on the libxml2 tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import type { CdaXmlView } from '../../src/core/cda/rules.js';
import { libxmlView } from '../../src/adapters/validation/libxml-rules.js';
import { brokenDocuments, type NamedXml } from '../fixtures/cda/broken.js';
import { goldenDir, repoRoot } from '../fixtures/cda/settings.js';

export const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');

const read = (dir: string): NamedXml[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({ name: f, xml: readFileSync(path.join(dir, f), 'utf8') }));

export const corpus = (): { examples: NamedXml[]; goldens: NamedXml[]; broken: NamedXml[] } => ({
  examples: read(path.join(ANS_KIT, 'ExemplesCDA')),
  goldens: read(goldenDir),
  broken: brokenDocuments(),
});

/** `reader` straight on the libxml2 tree of `xml` (no fallback to xmldom), or undefined when libxml2 cannot parse it. */
export const onLibxml = <T>(xml: string, reader: (view: CdaXmlView<XmlElement>) => T): T | undefined => {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch {
    return undefined;
  }
  try {
    return reader(libxmlView(doc));
  } finally {
    doc.dispose();
  }
};
