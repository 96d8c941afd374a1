import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareTraits, type ComparableTraits } from '../../../src/core/ins/compare.js';
import { normalizeName, looseKey, editDistance } from '../../../src/core/ins/normalize.js';
import { IDENTITY_RULES_V1, type IdentityRules } from '../../../src/core/ins/rules.js';
import { PAIRS, REFERENCES } from '../../fixtures/ins/identity-pairs.js';

describe('normalisation', () => {
  it('upper-cases, strips diacritics and ligatures, maps typographic apostrophes and dashes, collapses spaces', () => {
    assert.equal(normalizeName('  Éloïse   Lætitia '), 'ELOISE LAETITIA');
    assert.equal(normalizeName('d’Aéion'), "D'AEION");
    assert.equal(normalizeName('Marie – Louise'), 'MARIE-LOUISE');
    assert.equal(normalizeName('DUPONT--MARTIN'), 'DUPONT--MARTIN');
    assert.equal(looseKey("D'AEION"), 'DAEION');
  });
  it('edit distance counts an adjacent swap as one', () => {
    assert.equal(editDistance('ADRTROIS', 'ADRTRIOS'), 1);
    assert.equal(editDistance('ABC', 'ABC'), 0);
    assert.equal(editDistance('ADRTROIS', 'ADRTRUAS'), 2);
  });
});

describe(`identity pairs (${PAIRS.length} with expected verdicts)`, () => {
  it('has at least 80 pairs covering every reason code', () => {
    assert.ok(PAIRS.length >= 80);
    const seen = new Set<string>();
    for (const p of PAIRS) {
      for (const r of Object.values(p.reasons ?? {})) {
        seen.add(r);
      }
      if (p.overall) {
        seen.add(p.overall);
      }
    }
    const all = Object.keys(IDENTITY_RULES_V1.verdicts).filter((r) => r !== 'EXACT');
    assert.deepEqual(all.filter((r) => !seen.has(r)), []);
  });

  for (const [i, p] of PAIRS.entries()) {
    it(`#${i + 1} ${p.what} → ${p.decision}`, () => {
      const reference: ComparableTraits = REFERENCES[p.ref];
      const local: ComparableTraits = { ...reference, ...p.local };
      const c = compareTraits(local, reference);
      assert.equal(c.decision, p.decision, JSON.stringify(c.traits.filter((t) => t.reason !== 'EXACT')));
      for (const t of c.traits) {
        const expected = p.reasons?.[t.trait];
        if (expected) {
          assert.equal(t.reason, expected, `${t.trait}: ${t.explanation}`);
        } else {
          assert.equal(t.reason, 'EXACT', `${t.trait} should be exact: ${t.reason}`);
        }
      }
      assert.deepEqual(c.overall.map((o) => o.reason), p.overall ? [p.overall] : []);
      assert.equal(c.rulesVersion, IDENTITY_RULES_V1.version);
    });
  }

  it('explanations never carry the traits themselves', () => {
    for (const p of PAIRS) {
      const reference: ComparableTraits = REFERENCES[p.ref];
      const c = compareTraits({ ...reference, ...p.local }, reference);
      const text = [...c.traits.map((t) => t.explanation), ...c.overall.map((o) => o.explanation)].join(' ');
      for (const v of [reference.birthName, reference.birthGivenNames, reference.birthDate, reference.birthPlaceCog ?? ''].filter((x) => x !== '')) {
        assert.ok(!text.includes(v), `explanation leaks ${v}`);
      }
    }
  });

  it('rules are data: another version changes the verdict without code changes', () => {
    const strict: IdentityRules = { ...IDENTITY_RULES_V1, version: 'strict-test', equivalentSeparators: [], verdicts: { ...IDENTITY_RULES_V1.verdicts, LIKELY_TYPO: 'inconsistent' } };
    const ref = REFERENCES.DUPONT_MARTIN;
    const c1 = compareTraits({ ...ref, birthName: 'DUPONT-MARTIN' }, ref, strict);
    assert.equal(c1.traits[0]?.reason, 'SEPARATOR_VARIANT');
    assert.equal(c1.decision, 'needs_review');
    const c2 = compareTraits({ ...REFERENCES.NESSI, birthName: 'NESSY' }, REFERENCES.NESSI, strict);
    assert.equal(c2.decision, 'inconsistent');
    assert.equal(c2.rulesVersion, 'strict-test');
  });
});
