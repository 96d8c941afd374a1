/** Whatever text a SIL sends (markup, quotes, controls, any Unicode), the document stays well-formed XML and passes our rules. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCrBio } from '../../../src/core/cda/index.js';
import { checkCrBio } from '../../../src/core/cda/rules.js';
import type { LabReport } from '../../../src/core/report/model.js';
import { loadReport, testSettings, tinyPdf, versionFor } from '../../fixtures/cda/settings.js';

// eslint-disable-next-line no-control-regex
const NOT_XML_1_0 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

describe('CR-BIO builder, any text', () => {
  it('gives well-formed XML that passes our rules, and the same bytes twice', () => {
    const base = loadReport('tsh');
    fc.assert(
      fc.property(text, text, text, text, text, (family, comment, display, valueText, method) => {
        const b = base.batteries[0]!;
        const report: LabReport = {
          ...base,
          patient: { ...base.patient, usedName: family },
          comments: [comment],
          batteries: [
            {
              ...b,
              code: { ...b.code, display },
              observations: [
                { ...b.observations[0]!, method, comments: [comment] },
                { ...b.observations[1]!, value: { type: 'text', text: valueText }, localCode: { code: 'X', system: '1.2.250.1.999.1.5', display } },
              ],
            },
          ],
        };
        const v = versionFor(1, 'prop');
        const built = buildCrBio(report, v, testSettings, { pdf: tinyPdf() });
        assert.deepEqual(built.issues.filter((i) => i.severity === 'error'), []);
        assert.deepEqual(checkCrBio(built.xml), []);
        assert.ok(!NOT_XML_1_0.test(built.xml), 'a character XML 1.0 forbids reached the document');
        assert.equal(buildCrBio(report, v, testSettings, { pdf: tinyPdf() }).xml, built.xml);
      }),
      { numRuns: 150 },
    );
  });

  it('drops control characters and lone surrogates instead of writing them', () => {
    const base = loadReport('tsh');
    const built = buildCrBio({ ...base, comments: ['a\u0001b\u000Bc\uD800d\uFFFEe'] }, versionFor(1, 'prop'), testSettings, { pdf: tinyPdf() });
    assert.ok(built.xml.includes('<paragraph>abcde</paragraph>'));
  });
});
