/** `dmp-gateway token create|list|revoke` on a real SQLite file: tokens work, are revocable, and changes are audited. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenStore } from '../../../src/adapters/storage/tokens.js';
import { sqliteTestDb, tempDir, type TestDb } from '../../helpers/db.js';
import { runCli } from '../../helpers/child.js';

describe('dmp-gateway token (CLI)', () => {
  let t: TestDb;
  let env: Record<string, string>;
  before(async () => {
    t = await sqliteTestDb();
    env = { DMP_GATEWAY_DATA_DIR: tempDir(), DMP_GATEWAY_SQLITE_PATH: t.storage.sqlitePath };
  });
  after(() => t.dispose());
  const run = async (args: string[]) => {
    const c = runCli(['token', ...args, '--sandbox'], { env });
    const code = await c.exited();
    return { code, out: c.stdout(), err: c.stderr() };
  };

  it('creates a token shown once, lists it without the secret, revokes it; each change audited', async () => {
    const made = await run(['create', '--role', 'compliance', '--label', 'DPO laptop']);
    assert.equal(made.code, 0, made.err);
    const { id, token, role } = JSON.parse(made.out) as { id: string; token: string; role: string };
    assert.equal(role, 'compliance');
    const store = new TokenStore(t.db);
    assert.equal((await store.verify(token))?.tokenId, id);
    const list = await run(['list']);
    assert.ok(list.out.includes(id) && list.out.includes('DPO laptop'));
    assert.ok(!list.out.includes(token), 'the token itself is never listed');
    assert.equal((await run(['revoke', id])).code, 0);
    assert.equal(await store.verify(token), undefined, 'a revoked token no longer authenticates');
    assert.equal((await run(['revoke', id])).code, 1, 'revoking twice fails');
    const actions = await t.db.query("SELECT details FROM audit_events WHERE type = 'user.action' ORDER BY seq");
    assert.deepEqual(actions.map((r) => (JSON.parse(String(r['details'])) as { action: string }).action), ['token.create', 'token.revoke']);
    assert.ok(!actions.some((r) => String(r['details']).includes(token)), 'the token is not in the trail');
  });

  it('refuses a bad role or a missing label', async () => {
    assert.equal((await run(['create', '--role', 'root', '--label', 'x'])).code, 2);
    assert.equal((await run(['create', '--role', 'sil'])).code, 2);
  });
});
