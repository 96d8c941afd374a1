/**
 * The delivery claim over its three states (ready; retry_wait and uncertain once due): what it takes, in what
 * order, up to its limit, on both engines. It queries each state on its own (see OutboxStore.claim).
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock } from '../../helpers/clock.js';

const NOW = '2026-03-01T10:00:00.000Z';

for (const engine of ENGINES) {
  describe(`delivery claim order and limit (${engine.name})`, () => {
    let t: TestDb;
    before(async () => {
      t = await engine.open();
      const store = new TransmissionStore(t.db, new FixedClock(NOW), { uuid: randomUUID });
      // id, state, created_at, next_attempt_at, lease_until
      const rows: [string, string, string, string | null, string | null][] = [
        ['r-new', 'ready', '2026-03-01T09:50:00.000Z', null, null],
        ['w-due', 'retry_wait', '2026-03-01T09:10:00.000Z', '2026-03-01T09:59:00.000Z', null],
        ['r-old', 'ready', '2026-03-01T09:00:00.000Z', null, null],
        ['w-later', 'retry_wait', '2026-03-01T08:00:00.000Z', '2026-03-01T11:00:00.000Z', null],
        ['u-due', 'uncertain', '2026-03-01T09:20:00.000Z', '2026-03-01T09:30:00.000Z', null],
        ['r-leased', 'ready', '2026-03-01T08:30:00.000Z', null, '2026-03-01T10:05:00.000Z'],
        ['r-lease-over', 'ready', '2026-03-01T09:40:00.000Z', null, '2026-03-01T09:55:00.000Z'],
        ['d-done', 'delivered', '2026-03-01T07:00:00.000Z', null, null],
        ['r-later', 'ready', '2026-03-01T09:30:00.000Z', '2026-03-01T10:30:00.000Z', null],
      ];
      for (const [i, [id]] of rows.entries()) {
        await store.receive({ id: `in-${id}`, sender: 'test', messageId: `m-${id}`, contentType: 'application/hl7-v2', raw: Buffer.from(`MSH|${i}`) },
          [{ id, reportIndex: 0, accession: `ACC-${id}`, insHash: null, reportJson: '{}' }], { actor: 'test' });
      }
      for (const [id, status, createdAt, due, lease] of rows) {
        await t.db.execute('UPDATE transmissions SET status = ?, created_at = ?, next_attempt_at = ?, lease_until = ?, lease_owner = ? WHERE id = ?',
          [status, createdAt, due, lease, lease ? 'other' : null, id]);
      }
    });
    after(() => t.dispose());

    it('takes the oldest due rows of the three states first, up to the limit, and leases them', async () => {
      const outbox = new OutboxStore(t.db);
      const first = await outbox.claim('me', new Date(NOW), new Date('2026-03-01T10:01:00.000Z'), 3);
      assert.deepEqual(first.map((x) => x.id), ['r-old', 'w-due', 'u-due']);
      assert.deepEqual(first.map((x) => x.leaseOwner), ['me', 'me', 'me']);
      const rest = await outbox.claim('me', new Date(NOW), new Date('2026-03-01T10:01:00.000Z'), 10);
      // Not due (w-later, r-later), leased elsewhere (r-leased), settled (d-done), or already ours: left alone.
      assert.deepEqual(rest.map((x) => x.id), ['r-lease-over', 'r-new']);
      assert.deepEqual(await outbox.claim('me', new Date(NOW), new Date('2026-03-01T10:01:00.000Z'), 10), []);
    });
  });
}
