/** `dmp-gateway audit verify|checkpoint|export` as a real child process on a real SQLite file. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit } from '../../../src/adapters/storage/audit-store.js';
import { sqliteTestDb, tempDir, type TestDb } from '../../helpers/db.js';
import { runCli } from '../../helpers/child.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';

describe('dmp-gateway audit (CLI)', () => {
  let t: TestDb;
  let env: Record<string, string>;
  const dir = tempDir();
  before(async () => {
    t = await sqliteTestDb();
    for (let i = 1; i <= 5; i++) {
      await t.db.transaction((tx) => appendAudit(t.db, tx, { type: 'transmission.state', actor: 'system:worker', outcome: 'info', transmissionId: `tx-${i}`, details: { to: 'ready' } }, new Date(Date.UTC(2026, 2, i)), `id-${i}`));
    }
    env = {
      DMP_GATEWAY_DATA_DIR: dir,
      DMP_GATEWAY_SQLITE_PATH: t.storage.sqlitePath,
      DMP_GATEWAY_AUDIT_SIGNATURE_P12: testPki().entities.structureSign.p12Path,
      DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
    };
  });
  after(() => t.dispose());
  const run = async (args: string[]) => {
    const c = runCli(['audit', ...args, '--sandbox'], { env });
    const code = await c.exited();
    return { code, out: c.stdout(), err: c.stderr() };
  };

  it('signs a checkpoint, verifies, then names the first missing record after the end was cut', async () => {
    let r = await run(['checkpoint']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /checkpoint signed at record #5/);
    r = await run(['verify']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /audit trail OK: 5 records/);
    await t.db.execute('DELETE FROM audit_events WHERE seq >= 4');
    r = await run(['verify']);
    assert.equal(r.code, 1);
    assert.match(r.out, /BROKEN at record #4: truncated/);
    r = await run(['verify', '--json']);
    assert.equal(JSON.parse(r.out).firstBad.seq, 4);
  });

  it('exports a date range to a file', async () => {
    const out = join(dir, 'audit.csv');
    const r = await run(['export', '--from', '2026-03-02', '--to', '2026-03-03T12:00:00Z', '--format', 'csv', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[1]), ['id-2', 'id-3']);
  });

  it('refuses an unknown subcommand or format with a usage error', async () => {
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['export', '--format', 'xml'])).code, 2);
  });
});
