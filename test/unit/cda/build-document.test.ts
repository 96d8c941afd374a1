import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cdaSettingsFromConfig, createDocumentBuilder, type RenderPdf } from '../../../src/app/build-document.js';
import { loadReport, testSettings, tinyPdf, versionFor } from '../../fixtures/cda/settings.js';

describe('build-document use case', () => {
  it('renders the PDF copy only when the SIL sent none, at the document time', async () => {
    const calls: string[] = [];
    const render: RenderPdf = (_r, _s, at) => {
      calls.push(at);
      return Promise.resolve(tinyPdf());
    };
    const build = createDocumentBuilder(testSettings, render);
    const v = versionFor(1, 'uc');
    const rendered = await build(loadReport('tsh'), v);
    assert.deepEqual(calls, [v.effectiveTime]);
    assert.ok(rendered.xml.includes(Buffer.from(tinyPdf()).toString('base64')));
    const sil = Buffer.from('%PDF-1.7 from the SIL').toString('base64');
    const withSil = await build({ ...loadReport('tsh'), pdf: { base64: sil } }, v);
    assert.equal(calls.length, 1);
    assert.ok(withSil.xml.includes(sil));
  });

  it('maps the lab.* settings to the CDA settings', () => {
    const s = cdaSettingsFromConfig({ name: 'LBM', finess: '120459876', oid: '1.2.250.1.999.1', street: '8 rue des Essais', postalCode: '75000', city: 'PARIS', phone: '0100000000', practiceSetting: 'ETABLISSEMENT', cofrac: '8-1234', softwareName: 'SIL-X' });
    assert.deepEqual(s.lab.address, { lines: ['8 rue des Essais'], postalCode: '75000', city: 'PARIS' });
    assert.deepEqual(s.lab.telecom, ['0100000000']);
    assert.equal(s.lab.practiceSetting, 'ETABLISSEMENT');
    assert.equal(s.lab.cofrac, '8-1234');
    assert.equal(s.software.name, 'SIL-X');
  });
});
