/**
 * Tamper evidence on real databases: rows of audit_events are edited, deleted, inserted, reordered and cut
 * off directly in SQL, and verification must name the first bad record. Both engines.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendAudit } from '../../../src/adapters/storage/audit-store.js';
import type { Db } from '../../../src/adapters/storage/db.js';
import { openPostgres } from '../../../src/adapters/storage/postgres.js';
import { recordHash } from '../../../src/core/audit/chain.js';
import { loadPkcs12Identity } from '../../../src/adapters/signing/keystore.js';
import { writeCheckpoint, type CheckpointSigner } from '../../../src/adapters/audit/checkpoints.js';
import { verifyAuditTrail } from '../../../src/adapters/audit/verify.js';
import { ENGINES, TEST_PG_URL, type TestDb } from '../../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';
import { readFileSync } from 'node:fs';

const AT = new Date('2026-03-01T10:00:00.000Z');
const signerOf = (name: 'structureSign' | 'untrustedClient'): CheckpointSigner => {
  const id = loadPkcs12Identity(readFileSync(testPki().entities[name].p12Path), TEST_PKI_PASSPHRASE, new Date(), name);
  return { keyPem: id.keyPem, certPem: id.certPem, fingerprint256: id.fingerprint256, chainPem: id.chainPem.slice(1), notAfter: id.notAfter };
};

const seed = async (db: Db, n: number, from = 1): Promise<void> => {
  for (let i = from; i < from + n; i++) {
    await db.transaction((tx) =>
      appendAudit(db, tx, { type: 'delivery.attempt', actor: 'system:worker', outcome: 'success', transmissionId: `t-${i}`, details: { attempt: i } }, new Date(AT.getTime() + i * 1000), `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    );
  }
};

/** Moves a row to another seq (both engines allow updating the key). */
const moveSeq = (db: Db, from: number, to: number): Promise<number> => db.execute('UPDATE audit_events SET seq = ? WHERE seq = ?', [to, from]);

for (const engine of ENGINES) {
  describe(`audit trail tamper evidence (${engine.name})`, () => {
    let t: TestDb;
    let signer: CheckpointSigner;
    before(() => {
      signer = signerOf('structureSign');
    });
    beforeEach(async () => {
      t = await engine.open();
      await seed(t.db, 10);
    });
    const verify = () => verifyAuditTrail(t.db, signer, AT);
    const done = () => t.dispose();

    it('an untouched trail verifies, with its checkpoint', async () => {
      const cp = await writeCheckpoint(t.db, signer, AT);
      assert.equal(cp?.seq, 10);
      assert.equal(await writeCheckpoint(t.db, signer, AT), undefined, 'nothing new, no second checkpoint');
      const v = await verify();
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.records, 10);
      assert.equal(v.lastCheckpoint?.seq, 10);
      await done();
    });

    it('an edited record is named', async () => {
      await t.db.execute('UPDATE audit_events SET details = ? WHERE seq = 4', ['{"attempt":40}']);
      const v = await verify();
      assert.equal(v.ok, false);
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [4, 'hash_mismatch']);
      assert.equal(v.firstBad?.id, '00000000-0000-4000-8000-000000000004');
      await done();
    });

    it('an edit with the hash recomputed is named at the next record', async () => {
      const row = (await t.db.query('SELECT * FROM audit_events WHERE seq = 4'))[0] as Record<string, unknown>;
      const forged = { seq: 4, id: String(row['id']), at: String(row['at']), type: String(row['type']), actor: 'user:someone-else', outcome: String(row['outcome']), transmissionId: String(row['transmission_id']), subjectHash: null, documentUniqueId: null, details: String(row['details']), prevHash: String(row['prev_hash']) };
      await t.db.execute('UPDATE audit_events SET actor = ?, hash = ? WHERE seq = 4', [forged.actor, recordHash(forged)]);
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [5, 'prev_hash_mismatch']);
      await done();
    });

    it('a deleted record is named by its missing number', async () => {
      await t.db.execute('DELETE FROM audit_events WHERE seq = 6');
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [6, 'sequence_gap']);
      assert.match(v.firstBad?.message ?? '', /#6 is missing/);
      await done();
    });

    it('an inserted record is named where it was put', async () => {
      for (let s = 10; s >= 7; s--) {
        await moveSeq(t.db, s, s + 1);
      }
      const prev = (await t.db.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = 6'))[0]?.hash ?? '';
      await t.db.execute(
        `INSERT INTO audit_events (seq, id, at, type, actor, outcome, transmission_id, subject_hash, document_unique_id, details, prev_hash, hash)
         VALUES (7, 'forged', '2026-03-01T10:00:06.500Z', 'identity.hold.released', 'user:x', 'success', 't-x', NULL, NULL, '{}', ?, ?)`,
        [prev, createHash('sha256').update('made up').digest('hex')],
      );
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason, v.firstBad?.id], [7, 'hash_mismatch', 'forged']);
      assert.equal(v.records, 11);
      await done();
    });

    it('two swapped records are named at the first moved place', async () => {
      await moveSeq(t.db, 3, -1);
      await moveSeq(t.db, 4, 3);
      await moveSeq(t.db, -1, 4);
      const v = await verify();
      assert.equal(v.firstBad?.seq, 3);
      assert.equal(v.firstBad?.id, '00000000-0000-4000-8000-000000000004', 'the record now standing at #3 is the old #4');
      await done();
    });

    it('deleting the last records is caught by the signed checkpoint', async () => {
      await writeCheckpoint(t.db, signer, AT);
      await t.db.execute('DELETE FROM audit_events WHERE seq >= 8');
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [8, 'truncated']);
      assert.match(v.firstBad?.message ?? '', /#8 to #10 are missing/);
      await done();
    });

    it('without a checkpoint, cutting the end is not detectable and verify says so', async () => {
      await t.db.execute('DELETE FROM audit_events WHERE seq >= 8');
      const v = await verify();
      assert.equal(v.ok, true);
      assert.ok(v.warnings.some((w) => /no signed checkpoint/.test(w)));
      await done();
    });

    it('a whole trail rewritten under a checkpoint is caught by the checkpoint', async () => {
      await writeCheckpoint(t.db, signer, AT);
      // Rewrite record #4 and recompute every hash after it: the chain alone holds again.
      const rows = await t.db.query('SELECT * FROM audit_events ORDER BY seq');
      let prev = '';
      for (const row of rows) {
        const seq = Number(row['seq']);
        const r = { seq, id: String(row['id']), at: String(row['at']), type: String(row['type']), actor: seq === 4 ? 'user:forger' : String(row['actor']), outcome: String(row['outcome']), transmissionId: (row['transmission_id'] as string | null) ?? null, subjectHash: null, documentUniqueId: null, details: String(row['details']), prevHash: seq === 1 ? String(row['prev_hash']) : prev };
        prev = recordHash(r);
        await t.db.execute('UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?', [r.actor, r.prevHash, prev, seq]);
      }
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [10, 'checkpoint_mismatch']);
      assert.match(v.firstBad?.message ?? '', /records #1 to #10 were rewritten/);
      await done();
    });

    it('a checkpoint signed with another certificate is refused', async () => {
      await writeCheckpoint(t.db, signerOf('untrustedClient'), AT);
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [10, 'checkpoint_signature']);
      await done();
    });

    it('a removed checkpoint in the middle breaks the checkpoint chain', async () => {
      await writeCheckpoint(t.db, signer, AT);
      await seed(t.db, 2, 11);
      await writeCheckpoint(t.db, signer, AT);
      await seed(t.db, 2, 13);
      await writeCheckpoint(t.db, signer, AT);
      await t.db.execute('DELETE FROM audit_checkpoints WHERE seq = 12');
      const v = await verify();
      assert.deepEqual([v.firstBad?.seq, v.firstBad?.reason], [14, 'checkpoint_chain']);
      await done();
    });
  });
}

describe('concurrent writers on PostgreSQL keep one chain', () => {
  let t: TestDb;
  const others: Db[] = [];
  before(async () => {
    t = await ENGINES[1]!.open();
    for (let i = 0; i < 3; i++) {
      others.push(await openPostgres({ url: TEST_PG_URL, schema: t.storage.schema }));
    }
  });
  after(async () => {
    for (const o of others) {
      await o.close();
    }
    await t.dispose();
  });

  it('four connections appending at once give one unbroken chain', async () => {
    const writers = [t.db, ...others];
    await Promise.all(
      writers.map(async (db, w) => {
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            db.transaction((tx) => appendAudit(db, tx, { type: 'user.read', actor: `user:w${w}`, outcome: 'success', details: { i } }, AT, `w${w}-${i}`)),
          ),
        );
      }),
    );
    const v = await verifyAuditTrail(t.db, undefined, AT);
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.equal(v.records, 100);
    assert.equal(v.lastSeq, 100);
  });

  it('checkpoints signed while writers append agree with the chain', async () => {
    const signer = signerOf('structureSign');
    const writers = [t.db, ...others];
    let writing = true;
    const checkpointing = (async () => {
      let n = 0;
      while (writing) {
        if (await writeCheckpoint(others[0]!, signer, AT)) {
          n++;
        }
        await new Promise((ok) => setImmediate(ok));
      }
      return n;
    })();
    await Promise.all(
      writers.map((db, w) =>
        Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction((tx) => appendAudit(db, tx, { type: 'user.read', actor: `user:c${w}`, outcome: 'success', details: { i } }, AT, `c${w}-${i}`)))),
      ),
    );
    writing = false;
    const made = await checkpointing;
    await writeCheckpoint(t.db, signer, AT);
    assert.ok(made >= 1, 'some checkpoints were made while writing');
    const v = await verifyAuditTrail(t.db, signer, AT);
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.equal(v.records, 180);
    assert.equal(v.lastCheckpoint?.seq, 180);
  });
});
