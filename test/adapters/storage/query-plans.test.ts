/**
 * The outbox's hot lookups use indexes (SQLite query plans): none of them reads a whole table, so their cost does
 * not grow with the number of documents stored (the benchmark found the documents table scanned at every report).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db, Executor } from '../../../src/adapters/storage/db.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { sqliteTestDb, type TestDb } from '../../helpers/db.js';

/** The Db, recording every SELECT it is given. */
const recording = (db: Db, seen: string[]): Db => {
  const wrap = (x: Executor): Executor => ({
    query: (sql, params) => {
      seen.push(sql);
      return x.query(sql, params);
    },
    execute: (sql, params) => x.execute(sql, params),
  });
  return { ...wrap(db), engine: db.engine, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))), ping: () => db.ping(), close: () => db.close() };
};

describe('outbox lookups use indexes (SQLite query plans)', () => {
  let t: TestDb;
  before(async () => {
    t = await sqliteTestDb();
  });
  after(() => t.dispose());

  it('latest version, a transmission\'s document and both claims scan no table; the received claim sorts nothing', async () => {
    const seen: string[] = [];
    const outbox = new OutboxStore(recording(t.db, seen));
    const now = new Date('2026-03-01T10:00:00Z');
    await outbox.latestVersion('ACC-1');
    await outbox.documentOf('t-1');
    await outbox.claim('me', now, new Date(now.getTime() + 1000), 8);
    await outbox.claimReceived('me', now, new Date(now.getTime() + 1000), 8);
    const selects = [...new Set(seen.filter((s) => /^\s*SELECT/i.test(s)))];
    assert.ok(selects.length >= 7, `the lookups were recorded (${selects.length})`);
    for (const sql of selects) {
      const plan = (await t.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, Array.from(sql.matchAll(/\?/g), () => 'x'))).map((r) => r.detail);
      const scans = plan.filter((d) => /^SCAN (documents|d|prev|transmissions|pt)\b/.test(d) && !/USING (COVERING )?INDEX/.test(d));
      assert.deepEqual(scans, [], `${sql.replace(/\s+/g, ' ').slice(0, 120)}…\n${plan.join('\n')}`);
      if (/status = 'received'/.test(sql)) {
        // The received claim walks the oldest rows in index order and stops at its limit: no sort of the backlog,
        // and the older-version check goes by report.
        assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), plan.join('\n'));
        assert.ok(plan.some((d) => /SEARCH o USING (COVERING )?INDEX transmissions_accession_state \(accession=\?/.test(d)), plan.join('\n'));
      }
      if (/status = 'ready'/.test(sql)) {
        // Ready rows in age order from the index, stopping at the limit: the ready backlog is not sorted per claim.
        assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), plan.join('\n'));
        assert.ok(plan.some((d) => /transmissions_state_age \(status=\?\)/.test(d)), plan.join('\n'));
      }
      if (/status = '(retry_wait|uncertain)'/.test(sql)) {
        // Only the due rows are read, earliest due first.
        assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), plan.join('\n'));
        assert.ok(plan.some((d) => /transmissions_status \(status=\? AND next_attempt_at<\?\)/.test(d)), plan.join('\n'));
      }
    }
  });
});
