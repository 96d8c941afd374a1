/**
 * Migration 006: a document's DMP entryUUID in `document_entries`. An entryUUID recorded before the migration is
 * carried over; recording one leaves the stored document row (and its CDA) untouched.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Db } from '../../../src/adapters/storage/db.js';
import { migrate } from '../../../src/adapters/storage/migrate.js';
import { migrations } from '../../../src/adapters/storage/migrations/index.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { openPostgres } from '../../../src/adapters/storage/postgres.js';
import { openSqlite } from '../../../src/adapters/storage/sqlite.js';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { tempDir, TEST_PG_URL } from '../../helpers/db.js';
import { FixedClock } from '../../helpers/clock.js';

const opens: { name: string; open: () => Promise<{ db: Db; dispose: () => Promise<void> }> }[] = [
  { name: 'sqlite', open: () => { const db = openSqlite(join(tempDir(), 'gateway.db')); return Promise.resolve({ db, dispose: () => db.close() }); } },
  { name: 'postgres', open: async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await openPostgres({ url: TEST_PG_URL, schema });
    return { db, dispose: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    } };
  } },
];

for (const engine of opens) {
  describe(`document entryUUIDs (${engine.name})`, () => {
    it('carries over the entryUUIDs recorded before migration 006, and records new ones without rewriting the document', async () => {
      const { db, dispose } = await engine.open();
      try {
        await migrate(db, migrations.filter((m) => m.version < 6));
        const store = new TransmissionStore(db, new FixedClock('2026-03-01T10:00:00.000Z'), { uuid: randomUUID });
        const outbox = new OutboxStore(db);
        for (const id of ['t-1', 't-2']) {
          await store.receive({ id: `in-${id}`, sender: 'test', messageId: id, contentType: 'application/hl7-v2', raw: Buffer.from(id) },
            [{ id, reportIndex: 0, accession: `ACC-${id}`, insHash: null, reportJson: '{}' }], { actor: 'test' });
          // A row as stored before migration 006.
          await db.execute('INSERT INTO documents (unique_id, transmission_id, set_id, version_number, cda, sha1, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            [`1.2.3.${id}`, id, `set-${id}`, 1, Buffer.from(`<ClinicalDocument>${id}</ClinicalDocument>`), 'sha1', 40, '2026-03-01T10:00:00.000Z']);
        }
        // Before 006, delivery wrote the uuid into the documents row.
        await db.execute('UPDATE documents SET entry_uuid = ? WHERE unique_id = ?', ['urn:uuid:before', '1.2.3.t-1']);
        assert.deepEqual(await migrate(db), [6, 7]);
        assert.equal((await outbox.document('1.2.3.t-1'))?.entryUuid, 'urn:uuid:before');
        assert.equal((await outbox.document('1.2.3.t-2'))?.entryUuid, null);

        await db.transaction((tx) => outbox.setEntryUuid(tx, '1.2.3.t-2', 'urn:uuid:after'));
        await db.transaction((tx) => outbox.setEntryUuid(tx, '1.2.3.t-1', 'urn:uuid:again'));
        assert.equal((await outbox.document('1.2.3.t-2'))?.entryUuid, 'urn:uuid:after');
        assert.equal((await outbox.documentOf('t-1'))?.entryUuid, 'urn:uuid:again');
        assert.equal((await outbox.documentOf('t-1'))?.xml, '<ClinicalDocument>t-1</ClinicalDocument>');
        assert.equal((await outbox.latestVersion('ACC-t-2'))?.entryUuid, 'urn:uuid:after');
        // The documents rows were not written: their legacy column still says what it said.
        assert.deepEqual((await db.query<{ entry_uuid: string | null }>('SELECT entry_uuid FROM documents ORDER BY unique_id')).map((r) => r.entry_uuid), ['urn:uuid:before', null]);
      } finally {
        await dispose();
      }
    });
  });
}
