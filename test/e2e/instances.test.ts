/**
 * Two gateway instances (real processes) on one PostgreSQL database share a load (issue 7): every report is
 * delivered exactly once, whichever instance received it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Child } from '../helpers/child.js';
import { tempDir, TEST_PG_URL } from '../helpers/db.js';
import { testPki } from '../helpers/pki.js';
import { simDocuments } from '../helpers/sim-client.js';
import { gatewayEnv, listTransmissions, oruMessage, postReport, sleep, startGatewayProcess, startSimulatorProcess, tokensOf } from '../helpers/gateway-process.js';

describe('several instances on PostgreSQL', () => {
  const schema = `e2e_${randomBytes(5).toString('hex')}`;
  after(async () => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('two gateway processes deliver each report exactly once', async () => {
    const pki = testPki();
    const simDir = tempDir();
    cpSync(pki.dir, join(simDir, 'data', 'pki'), { recursive: true });
    const sim = await startSimulatorProcess(simDir);
    const children: Child[] = [sim.child];
    try {
      const dirs = [tempDir(), tempDir()];
      const gws = [];
      for (const dir of dirs) {
        cpSync(pki.dir, join(dir, 'data', 'pki'), { recursive: true });
        const gw = await startGatewayProcess(dir, gatewayEnv(sim.url, { DMP_GATEWAY_DATABASE_URL: TEST_PG_URL, DMP_GATEWAY_DATABASE_SCHEMA: schema, DMP_GATEWAY_AUDIT_SUBJECT_KEY: 'k'.repeat(40) }));
        children.push(gw.child);
        gws.push({ ...gw, tokens: tokensOf(join(dir, 'data')) });
      }
      const N = 16;
      for (let i = 0; i < N; i++) {
        const gw = gws[i % 2];
        assert.ok(gw);
        const r = await postReport(gw.url, gw.tokens['sil'] ?? '', oruMessage(i, 'PAIR'));
        assert.equal(r.status, 202);
      }
      // The same message at the other instance: the same transmission, no second one.
      const again = await postReport(gws[1]?.url ?? '', gws[1]?.tokens['sil'] ?? '', oruMessage(0, 'PAIR'));
      assert.equal(again.status, 200);

      const deadline = Date.now() + 180000;
      let docs = (await simDocuments(pki, sim.url)).filter((d) => d.setId !== undefined);
      while (docs.length < N && Date.now() < deadline) {
        await sleep(500);
        docs = (await simDocuments(pki, sim.url)).filter((d) => d.setId !== undefined);
      }
      await sleep(1000);
      docs = (await simDocuments(pki, sim.url)).filter((d) => d.setId !== undefined);
      assert.equal(docs.length, N, 'one document per report');
      assert.equal(new Set(docs.map((d) => d.uniqueId)).size, N, 'none sent twice');
      const items = await listTransmissions(gws[0]?.url ?? '', gws[0]?.tokens['compliance'] ?? '');
      assert.equal(items.length, N);
      assert.deepEqual([...new Set(items.map((t) => t.status))], ['delivered']);
    } finally {
      for (const c of children) {
        c.kill('SIGKILL');
      }
    }
  });
});
