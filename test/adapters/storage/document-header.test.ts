/**
 * Migration 007: documents.cda_header, the CDA header stored with its document (JSON text, nullable). A database
 * holding documents from before it is migrated in place; those rows keep a null header and still read back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../../../src/adapters/storage/migrate.js';
import { migrations } from '../../../src/adapters/storage/migrations/index.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { readCdaHeader, type CdaHeader } from '../../../src/core/xds/cda-header.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock, sequentialIds } from '../../helpers/clock.js';
import { goldenDir } from '../../fixtures/cda/settings.js';

const xml = readFileSync(path.join(goldenDir, 'tsh.xml'), 'utf8');
const header: CdaHeader = readCdaHeader(xml).header ?? assert.fail('tsh.xml has a header');

for (const engine of ENGINES) {
  describe(`migration 007, the CDA header with its document (${engine.name})`, () => {
    let t: TestDb;
    let outbox: OutboxStore;
    const clock = new FixedClock('2026-03-01T10:00:00.000Z');
    before(async () => {
      t = await engine.open(migrations.filter((m) => m.version < 7));
      outbox = new OutboxStore(t.db);
    });
    after(() => t.dispose());

    const transmission = async (n: number): Promise<string> => {
      const store = new TransmissionStore(t.db, clock, sequentialIds(`00000000-0000-4000-8${n}00-`));
      const r = await store.receive(
        { id: `in-h${n}`, sender: 'SIL', messageId: `M-h${n}`, contentType: 'application/json', raw: Buffer.from('{}') },
        [{ id: `tr-h${n}`, reportIndex: 0, accession: `ACC-h${n}`, insHash: 'h', reportJson: '{}' }],
        { actor: 'sil:test' },
      );
      return r.transmissions[0]?.id ?? assert.fail('no transmission');
    };

    it('adds a nullable cda_header; documents stored before it read back without a header', async () => {
      const legacy = await transmission(1);
      // A row as stored before migration 007 (no cda_header column yet).
      await t.db.execute(
        'INSERT INTO documents (unique_id, transmission_id, set_id, version_number, cda, sha1, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ['1.2.3.1', legacy, '1.2.3', 1, Buffer.from(xml, 'utf8'), 'sha1', xml.length, clock.now().toISOString()],
      );
      await assert.rejects(t.db.query('SELECT cda_header FROM documents'));
      assert.deepEqual(await migrate(t.db), [7]);
      assert.deepEqual(await migrate(t.db), []);
      const rows = await t.db.query<{ cda_header: unknown }>('SELECT cda_header FROM documents WHERE unique_id = ?', ['1.2.3.1']);
      assert.equal(rows[0]?.cda_header, null);
      const doc = await outbox.documentOf(legacy);
      assert.equal(doc?.xml, xml);
      assert.equal(doc?.header, undefined);
      assert.equal(doc !== undefined && 'header' in doc, false);
    });

    it('stores the header as JSON text and gives it back deep-equal; without one the column stays null', async () => {
      const withHeader = await transmission(2);
      const without = await transmission(3);
      await t.db.transaction(async (tx) => {
        await outbox.insertDocument(tx, { uniqueId: '1.2.3.2', transmissionId: withHeader, setId: '1.2.3.2', versionNumber: 1, xml, header, at: clock.now() });
        await outbox.insertDocument(tx, { uniqueId: '1.2.3.3', transmissionId: without, setId: '1.2.3.3', versionNumber: 1, xml, at: clock.now() });
      });
      const stored = await t.db.query<{ cda_header: unknown }>('SELECT cda_header FROM documents WHERE unique_id = ?', ['1.2.3.2']);
      assert.equal(typeof stored[0]?.cda_header, 'string');
      assert.deepEqual(JSON.parse(String(stored[0]?.cda_header)), header);
      assert.deepEqual((await outbox.documentOf(withHeader))?.header, header);
      assert.equal((await outbox.documentOf(without))?.header, undefined);
    });

    it('a stored value that is not a header is ignored (delivery reads the document), and retention purges it with the CDA', async () => {
      const odd = await transmission(4);
      await t.db.transaction((tx) => outbox.insertDocument(tx, { uniqueId: '1.2.3.4', transmissionId: odd, setId: '1.2.3.4', versionNumber: 1, xml, header, at: clock.now() }));
      for (const bad of ['not json', '{"title":"x"}', 'null', '[]']) {
        await t.db.execute('UPDATE documents SET cda_header = ? WHERE unique_id = ?', [bad, '1.2.3.4']);
        assert.equal((await outbox.documentOf(odd))?.header, undefined, bad);
      }
      await t.db.execute('UPDATE documents SET cda_header = ? WHERE unique_id = ?', [JSON.stringify(header), '1.2.3.4']);
      await t.db.execute("UPDATE transmissions SET status = 'delivered' WHERE id = ?", [odd]);
      const purged = await outbox.purgeBefore(new Date(clock.now().getTime() + 1000), clock.now());
      assert.ok(purged.documents >= 1);
      const rows = await t.db.query<{ cda: unknown; cda_header: unknown }>('SELECT cda, cda_header FROM documents WHERE unique_id = ?', ['1.2.3.4']);
      assert.equal(rows[0]?.cda, null);
      assert.equal(rows[0]?.cda_header, null);
    });
  });
}
