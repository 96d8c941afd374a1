/**
 * The gate parses each document once with libxml2 and runs our rules on that tree (libxml-rules.ts); `checkCrBio`
 * parses with xmldom. Both must give the same issues, in the same order, on the 19 official examples, our golden
 * documents and a set of broken ones (every rule violated, not well-formed, forbidden characters).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCrBio, crBioRules } from '../../src/core/cda/rules.js';
import { ownRulesAndXsd } from '../../src/adapters/validation/gate.js';
import { readsAlike } from '../../src/adapters/validation/libxml-rules.js';
import { CdaXsdValidator } from '../../src/adapters/validation/xsd.js';
import { ANS_KIT, corpus, onLibxml as onLibxmlTree } from './libxml-corpus.js';
import { repoRoot } from '../fixtures/cda/settings.js';

const { examples, goldens, broken } = corpus();
const all = [...examples, ...goldens, ...broken];

const onLibxml = (xml: string): ReturnType<typeof crBioRules> | undefined => onLibxmlTree(xml, crBioRules);

describe('own CR-BIO rules on the libxml2 tree', () => {
  it('the corpus holds the 19 official examples, our goldens and a violation of every rule', () => {
    assert.equal(examples.length, 19);
    assert.ok(goldens.length >= 8);
    const codes = new Set(broken.flatMap((d) => checkCrBio(d.xml).map((i) => i.code)));
    const rules = readFileSync(path.join(repoRoot, 'src', 'core', 'cda', 'rules.ts'), 'utf8');
    const declared = new Set([...rules.matchAll(/err\('([A-Z_]+)'/g)].map((m) => m[1]!));
    declared.add('XML_NOT_WELL_FORMED');
    assert.ok(declared.size >= 19, [...declared].join(' '));
    assert.deepEqual([...declared].filter((c) => !codes.has(c)), []);
  });

  it('the gate gives the issues checkCrBio gives, on every document', () => {
    for (const d of all) {
      assert.deepEqual(ownRulesAndXsd(d.xml, undefined).own, checkCrBio(d.xml), d.name);
    }
  });

  it('the rules really run on the libxml2 tree for every well-formed document both parsers read alike', () => {
    let compared = 0;
    for (const d of all) {
      const lx = readsAlike(d.xml) ? onLibxml(d.xml) : undefined;
      if (lx) {
        assert.deepEqual(lx, checkCrBio(d.xml), d.name);
        compared++;
      }
    }
    assert.ok(compared >= examples.length + goldens.length + 60, `${compared}`);
    for (const d of [...examples, ...goldens]) {
      assert.ok(readsAlike(d.xml), d.name);
    }
  });

  it('documents libxml2 would read differently go to xmldom, which reports them as before', () => {
    const named = (n: string): string => broken.find((d) => d.name === n)?.xml ?? assert.fail(n);
    for (const n of ['byte-order mark', 'DOCTYPE with an entity', 'declared ISO-8859-1', 'control character', 'lone surrogate']) {
      assert.equal(readsAlike(named(n)), false, n);
    }
    // on the libxml2 tree these would differ: the BOM is skipped, the entity expanded, the UTF-8 read as Latin-1
    assert.notDeepEqual(onLibxml(named('byte-order mark')), checkCrBio(named('byte-order mark')));
    assert.notDeepEqual(onLibxml(named('DOCTYPE with an entity')), checkCrBio(named('DOCTYPE with an entity')));
    assert.notDeepEqual(onLibxml(named('declared ISO-8859-1')), checkCrBio(named('declared ISO-8859-1')));
  });

  it('with the kit, one parse gives the XSD findings CdaXsdValidator.validate gives', async () => {
    const xsd = new CdaXsdValidator(ANS_KIT);
    for (const d of all) {
      const r = ownRulesAndXsd(d.xml, xsd);
      assert.deepEqual(r.xsd, await xsd.validate(d.xml), d.name);
      assert.deepEqual(r.own, checkCrBio(d.xml), d.name);
    }
  });
});
