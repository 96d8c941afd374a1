/**
 * The storage contract: the same behaviour on SQLite and PostgreSQL (DESIGN.md "Real parts, not mocks").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/adapters/storage/migrate.js';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { TokenStore } from '../../../src/adapters/storage/tokens.js';
import { appendAudit, rowToAudit } from '../../../src/adapters/storage/audit-store.js';
import { openSqlite } from '../../../src/adapters/storage/sqlite.js';
import { openPostgres } from '../../../src/adapters/storage/postgres.js';
import { verifyChain } from '../../../src/core/audit/chain.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock, sequentialIds } from '../../helpers/clock.js';

const inbound = (n: number) => ({ id: `in-${n}`, sender: 'SIL^LAB', messageId: `MSG${n}`, contentType: 'application/hl7-v2', raw: Buffer.from(`MSH|^~\\&|${n}\r`, 'latin1') });
const tx1 = (n: number) => ({ id: `tr-${n}`, reportIndex: 0, accession: `ACC${n}`, insHash: `h${n}`, reportJson: '{}' });

for (const engine of ENGINES) {
  describe(`storage contract (${engine.name})`, () => {
    let t: TestDb;
    let store: TransmissionStore;
    const clock = new FixedClock();
    before(async () => {
      t = await engine.open();
      store = new TransmissionStore(t.db, clock, sequentialIds());
    });
    after(() => t.dispose());

    it('migrations are recorded and running them again changes nothing', async () => {
      assert.deepEqual(await migrate(t.db), []);
      const rows = await t.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.ok(rows.length >= 1 && Number(rows[0]?.version) === 1);
    });

    it('stores raw bytes exactly (Latin-1 included) with the transmission and its audit record', async () => {
      const raw = Buffer.from('MSH|^~\\&|SIL\rPID|||||MÜLLER^ÉLODIE\r', 'latin1');
      const r = await store.receive({ ...inbound(1), raw }, [tx1(1)], { actor: 'sil:SIL^LAB' });
      assert.equal(r.duplicate, false);
      assert.equal(r.transmissions[0]?.status, 'received');
      assert.deepEqual(await store.rawOf('in-1'), raw);
      const audit = await t.db.query("SELECT * FROM audit_events WHERE type = 'report.received' AND transmission_id = 'tr-1'");
      assert.equal(audit.length, 1);
    });

    it('the same sender + message id is stored once (idempotency), also when delivered concurrently', async () => {
      const again = await store.receive({ ...inbound(1), id: 'in-1-bis' }, [{ ...tx1(1), id: 'tr-1-bis' }], { actor: 'sil:SIL^LAB' });
      assert.equal(again.duplicate, true);
      assert.equal(again.transmissions[0]?.id, 'tr-1');
      const results = await Promise.all([0, 1, 2, 3, 4].map((k) => store.receive({ ...inbound(2), id: `in-2-${k}` }, [{ ...tx1(2), id: `tr-2-${k}` }], { actor: 'sil:SIL^LAB' })));
      assert.equal(results.filter((x) => !x.duplicate).length, 1, 'exactly one insert wins');
      assert.equal(new Set(results.map((x) => x.transmissions[0]?.id)).size, 1, 'all see the same transmission');
      const n = await t.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM transmissions WHERE accession = 'ACC2'");
      assert.equal(Number(n[0]?.n), 1);
    });

    it('a transaction that fails leaves nothing behind', async () => {
      await assert.rejects(
        t.db.transaction(async (tx) => {
          await tx.execute("INSERT INTO inbound_messages (id, sender, message_id, content_type, raw, raw_sha256, received_at) VALUES ('in-x', 's', 'm', 'c', ?, 'h', 'now')", [Buffer.from('x')]);
          throw new Error('fail after the insert');
        }),
        /fail after the insert/,
      );
      assert.equal((await t.db.query("SELECT id FROM inbound_messages WHERE id = 'in-x'")).length, 0);
    });

    it('transitions are compare-and-set, follow the state machine, and write their audit record atomically', async () => {
      const moved = await store.transition('tr-1', ['received'], 'ready', { setId: 'set-1', versionNumber: 1 }, { type: 'transmission.state', actor: 'system:test', outcome: 'success' });
      assert.equal(moved.status, 'ready');
      assert.equal(moved.setId, 'set-1');
      await assert.rejects(
        store.transition('tr-1', ['received'], 'ready', {}, { type: 'transmission.state', actor: 'system:test', outcome: 'success' }),
        (e: unknown) => e instanceof GatewayError && e.code === 'CONFLICT',
      );
      await assert.rejects(
        store.transition('tr-1', ['ready'], 'delivered', {}, { type: 'transmission.state', actor: 'system:test', outcome: 'success' }),
        (e: unknown) => e instanceof GatewayError && e.code === 'CONFLICT' && /cannot go from ready to delivered/.test(e.message),
      );
      // Two workers race for the same transition: one wins.
      const race = await Promise.allSettled([1, 2, 3].map((w) => store.transition('tr-1', ['ready'], 'sending', { leaseOwner: `w${w}` }, { type: 'transmission.state', actor: `system:w${w}`, outcome: 'success' })));
      assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
      const states = await t.db.query<{ details: string }>("SELECT details FROM audit_events WHERE transmission_id = 'tr-1' AND type = 'transmission.state' ORDER BY seq");
      assert.equal(states.length, 2, 'one audit record per transition that happened, none for refused ones');
    });

    it('listing filters by state and pages with a cursor', async () => {
      for (let i = 10; i < 15; i++) {
        await store.receive(inbound(i), [tx1(i)], { actor: 'sil:SIL^LAB' });
        clock.advance(1000);
      }
      const p1 = await store.list({ status: 'received', limit: 3 });
      assert.equal(p1.items.length, 3);
      assert.ok(p1.nextCursor);
      const p2 = await store.list({ status: 'received', limit: 3, cursor: p1.nextCursor });
      const ids = [...p1.items, ...p2.items].map((x) => x.id);
      assert.equal(new Set(ids).size, ids.length, 'no overlap between pages');
      assert.ok(ids.includes('tr-10') && ids.includes('tr-14'));
      assert.ok(!ids.includes('tr-1'), 'tr-1 is no longer received');
      assert.equal((await store.list({ insHash: 'h12' })).items[0]?.id, 'tr-12');
    });

    it('concurrent audit appends keep one valid hash chain', async () => {
      const ids = sequentialIds('aaaaaaaa-0000-4000-8000-');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.db.transaction((tx) => appendAudit(t.db, tx, { type: 'user.action', actor: `user:${i}`, outcome: 'info', details: { i } }, clock.now(), ids.uuid())),
        ),
      );
      const records = (await t.db.query('SELECT * FROM audit_events ORDER BY seq')).map(rowToAudit);
      assert.ok(records.length >= 20);
      assert.equal(verifyChain(records), undefined, 'the chain verifies');
      const seqs = records.map((r) => r.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    });

    it('records appended in one transaction follow each other; the next transaction reads the head again (after a rollback, another connection, appends outside a transaction)', async () => {
      const ids = sequentialIds('bbbbbbbb-0000-4000-8000-');
      const append = (tx: Parameters<typeof appendAudit>[1], i: number): ReturnType<typeof appendAudit> =>
        appendAudit(t.db, tx, { type: 'user.action', actor: 'user:chain', outcome: 'info', details: { i } }, clock.now(), ids.uuid());
      const three = await t.db.transaction(async (tx) => [await append(tx, 1), await append(tx, 2), await append(tx, 3)]);
      assert.deepEqual(three.map((r) => r.seq - (three[0]?.seq ?? 0)), [0, 1, 2]);
      assert.equal(three[1]?.prevHash, three[0]?.hash);
      assert.equal(three[2]?.prevHash, three[1]?.hash);
      // A transaction that appended and then failed: its records are gone, and so is what it knew of the head.
      await assert.rejects(t.db.transaction(async (tx) => {
        await append(tx, 4);
        await append(tx, 5);
        throw new Error('rolled back');
      }), /rolled back/);
      // Another connection to the same database appends between two of ours.
      const other = engine.name === 'sqlite'
        ? openSqlite(t.storage.sqlitePath)
        : await openPostgres({ url: t.storage.databaseUrl ?? '', schema: t.storage.schema });
      try {
        const theirs = await other.transaction((tx) => appendAudit(other, tx, { type: 'user.action', actor: 'user:other', outcome: 'info' }, clock.now(), ids.uuid()));
        assert.equal(theirs.prevHash, three[2]?.hash, 'the rolled-back records left no trace');
        const outside = await append(t.db, 6);
        assert.equal(outside.prevHash, theirs.hash);
        const next = await t.db.transaction(async (tx) => [await append(tx, 7), await append(tx, 8)]);
        assert.equal(next[0]?.prevHash, outside.hash);
        assert.equal(next[1]?.prevHash, next[0]?.hash);
      } finally {
        await other.close();
      }
      const records = (await t.db.query('SELECT * FROM audit_events ORDER BY seq')).map(rowToAudit);
      assert.equal(verifyChain(records), undefined, 'the chain verifies');
    });

    it('tokens: only a hash is stored; verify and revoke', async () => {
      const tokens = new TokenStore(t.db);
      const { token } = await tokens.create('identity', 'nurse desk', 'tok-1', clock.now());
      const stored = await t.db.query<{ token_sha256: string }>("SELECT token_sha256 FROM api_tokens WHERE id = 'tok-1'");
      assert.notEqual(stored[0]?.token_sha256, token);
      assert.equal((await tokens.verify(token))?.role, 'identity');
      assert.equal(await tokens.revoke('tok-1', clock.now()), true);
      assert.equal(await tokens.verify(token), undefined);
    });
  });
}
