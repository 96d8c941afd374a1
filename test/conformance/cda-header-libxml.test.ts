/**
 * The CDA header for the XDS metadata, read from the libxml2 tree the conformance gate parsed (the document worker
 * stores it with the document), must be the header `readCdaHeader` reads with xmldom at delivery: same fields,
 * same issues, on the 19 official examples, our golden documents and the broken corpus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCdaHeader, readCdaHeaderFrom } from '../../src/core/xds/cda-header.js';
import { createConformanceGate, ownRulesAndXsd } from '../../src/adapters/validation/gate.js';
import { cdaHeaderParsed, readsAlike } from '../../src/adapters/validation/libxml-rules.js';
import { ANS_KIT, corpus, onLibxml as onLibxmlTree } from './libxml-corpus.js';

const { examples, goldens, broken } = corpus();

const onLibxml = (xml: string): ReturnType<typeof readCdaHeaderFrom> | undefined => onLibxmlTree(xml, readCdaHeaderFrom);

describe('CDA header read from the libxml2 tree', () => {
  it('deep-equals the xmldom header, issues included, for every official example and golden document', () => {
    assert.equal(examples.length, 19);
    assert.ok(goldens.length >= 8);
    let complete = 0;
    for (const d of [...examples, ...goldens]) {
      const dom = readCdaHeader(d.xml);
      assert.deepEqual(onLibxml(d.xml), dom, d.name);
      if (dom.header) {
        complete++;
        // The lab namespace lookup (documentationOf/serviceEvent/lab:statusCode) is exercised.
        assert.match(dom.header.labStatusCode ?? '', /^(completed|active)$/, d.name);
      }
    }
    // All but the two 2021 "auto-presentable" examples (an XSL stylesheet around the CDA: no header for either).
    assert.equal(complete, examples.length + goldens.length - 2);
  });

  it('deep-equals it on the broken corpus wherever both parsers read the document alike', () => {
    let compared = 0;
    for (const d of broken) {
      const lx = readsAlike(d.xml) ? onLibxml(d.xml) : undefined;
      if (lx) {
        assert.deepEqual(lx, readCdaHeader(d.xml), d.name);
        compared++;
      }
    }
    assert.ok(compared >= 60, `${compared}`);
    // Header fields the corpus changes really change the header, on both sides.
    const named = (n: string): string => broken.find((d) => d.name === n)?.xml ?? assert.fail(n);
    assert.equal(onLibxml(named('lab statusCode missing'))?.header?.labStatusCode, undefined);
    assert.equal(onLibxml(named('title missing'))?.issues.some((i) => i.path === '/ClinicalDocument/title'), true);
    assert.equal(onLibxml(named('root in another namespace'))?.issues[0]?.code, 'XDS_DOCUMENT_UNREADABLE');
  });

  it('the gate returns that header from its own parse, and none where libxml2 and xmldom may differ', async () => {
    const gate = await createConformanceGate({ ansKit: ANS_KIT, schematron: false });
    for (const d of goldens) {
      const checked = await gate.check(d.xml);
      assert.deepEqual(checked.header, readCdaHeader(d.xml).header, d.name);
      assert.deepEqual(checked.issues, await gate.validate(d.xml), d.name);
    }
    const named = (n: string): string => broken.find((d) => d.name === n)?.xml ?? assert.fail(n);
    for (const n of ['byte-order mark', 'DOCTYPE with an entity', 'declared ISO-8859-1', 'unclosed element']) {
      assert.equal((await gate.check(named(n))).header, undefined, n);
    }
    // Not asked for: no header.
    assert.equal(ownRulesAndXsd(goldens[0]!.xml, undefined).header, undefined);
    assert.ok(cdaHeaderParsed(goldens[0]!.xml, undefined) === undefined);
  });
});
