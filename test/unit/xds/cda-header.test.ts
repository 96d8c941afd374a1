import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCdaHeader, withoutBody } from '../../../src/core/xds/cda-header.js';

const examples = resolve(import.meta.dirname, '../../../../shared/reference/cda/ExemplesCDA');
const ours = resolve(import.meta.dirname, '../../fixtures/cda/golden');
const documents = [
  ...readdirSync(examples).filter((f) => f.endsWith('.xml')).map((f) => ({ name: f, xml: readFileSync(resolve(examples, f), 'utf8') })),
  ...readdirSync(ours).filter((f) => f.endsWith('.xml')).map((f) => ({ name: f, xml: readFileSync(resolve(ours, f), 'utf8') })),
];

describe('reading the CDA header for XDS metadata without parsing the body', () => {
  it('reads the same header, with the same issues, as a parse of the whole document (19 official examples and our goldens)', () => {
    assert.ok(documents.length >= 19);
    for (const d of documents) {
      const body = withoutBody(d.xml);
      assert.ok(body !== undefined && body.length < d.xml.length, `${d.name}: the body is found`);
      assert.doesNotMatch(body, /structuredBody|nonXMLBody/, d.name);
      assert.deepEqual(readCdaHeader(d.xml), readCdaHeader(d.xml, { whole: true }), d.name);
    }
  });

  it('finds a prefixed body after a comment, and leaves a document without a body whole', () => {
    const xml = '<?xml version="1.0"?><h:ClinicalDocument xmlns:h="urn:hl7-org:v3"><h:id root="1.2.3"/><h:component><!-- body --><h:structuredBody><h:x/></h:structuredBody></h:component></h:ClinicalDocument>';
    assert.equal(withoutBody(xml), '<?xml version="1.0"?><h:ClinicalDocument xmlns:h="urn:hl7-org:v3"><h:id root="1.2.3"/></h:ClinicalDocument>');
    assert.equal(withoutBody('<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/></ClinicalDocument>'), undefined);
  });

  it('reports a document that is not well-formed from the whole text, even when only its body is broken', () => {
    const good = documents.find((d) => d.name === 'tsh.xml')!.xml;
    const broken = good.replace(/<\/structuredBody>/, '</structuredBodyX>');
    assert.notEqual(broken, good);
    // The header alone is fine: the broken body is the gate's business (XSD), and the header is still read.
    assert.ok(readCdaHeader(broken).header);
    const badHeader = good.replace(/<setId /, '<setId<');
    const r = readCdaHeader(badHeader);
    assert.equal(r.header, undefined);
    assert.equal(r.issues[0]?.code, 'XDS_DOCUMENT_UNREADABLE');
  });
});
