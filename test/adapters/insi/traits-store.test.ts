import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InsTraitsStore } from '../../../src/adapters/insi/traits-store.js';
import { identityGateWithRecord } from '../../../src/app/identity-holds.js';
import { subjectHash } from '../../../src/core/audit/chain.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { sampleReport } from '../../helpers/reports.js';

const ACCEPTED = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.10'];
const PAT_TROIS = { birthName: 'PAT-TROIS', birthGivenNames: 'DOMINIQUE MARIE-LOUISE', sex: 'F', birthDate: '1979-03-28', birthPlaceCog: '51215' } as const;

for (const engine of ENGINES) {
  describe(`INS traits on record (${engine.name})`, () => {
    let t: TestDb;
    let store: InsTraitsStore;
    before(async () => {
      t = await engine.open(); // the ins_traits table comes with migration 003
      store = new InsTraitsStore(t.db, (ins) => subjectHash('k-test', ins));
    });
    after(() => t.dispose());

    it('keeps the latest INSi traits per INS, stored under the keyed hash (the INS is not in the table)', async () => {
      await store.record('279035121518989', '1.2.250.1.213.1.4.10', { ...PAT_TROIS, birthName: 'OLD' }, 'insi.check', new Date('2026-01-01T00:00:00Z'));
      await store.record('279035121518989', '1.2.250.1.213.1.4.10', PAT_TROIS, 'insi.check', new Date('2026-02-01T00:00:00Z'));
      const r = await store.get('279035121518989');
      assert.equal(r?.traits.birthName, 'PAT-TROIS');
      assert.equal(r?.answeredAt, '2026-02-01T00:00:00.000Z');
      const rows = await t.db.query('SELECT * FROM ins_traits');
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes('279035121518989'));
      assert.equal(await store.get('275126322074974'), undefined);
    });

    it('the gate with the record holds a report whose traits disagree with the INSi traits', async () => {
      const gate = identityGateWithRecord({ acceptedOids: ACCEPTED }, async (ins) => (await store.get(ins))?.traits);
      assert.equal((await gate(sampleReport())).outcome, 'pass');
      const swapped = await gate(sampleReport({}, { birthGivenNames: 'MARIE-LOUISE DOMINIQUE', firstGivenName: 'MARIE-LOUISE' }));
      assert.equal(swapped.outcome, 'hold');
      assert.ok(swapped.reasons.some((r) => r.code === 'TRAIT_COMPOUND_NAME_ORDER'));
      assert.equal(swapped.comparison?.decision, 'needs_review');
    });
  });
}
