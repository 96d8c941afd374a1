/**
 * Nothing lost, nothing sent twice (issue 7): reports are posted to a real gateway process that is killed
 * with SIGKILL at random moments, several times, while a separate DMP simulator process keeps running.
 * After the last restart every report is delivered exactly once: one document per report in the simulator.
 */
import { after, describe, it } from 'node:test';
import pg from 'pg';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Child } from '../helpers/child.js';
import { gatewayEnv, oruMessage, sleep, startGatewayProcess, startSimulatorProcess } from '../helpers/gateway-process.js';
import { tempDir, TEST_PG_URL } from '../helpers/db.js';
import { randomBytes } from 'node:crypto';
import { testPki } from '../helpers/pki.js';
import { simDocuments } from '../helpers/sim-client.js';

const message = (i: number): string => oruMessage(i, 'CRASH');

const PG_SCHEMA = `crash_${randomBytes(5).toString('hex')}`;
after(async () => {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
  await c.end();
});

const ENGINES_E2E = [
  { name: 'sqlite', env: (): Record<string, string> => ({}) },
  { name: 'postgres', env: (): Record<string, string> => ({ DMP_GATEWAY_DATABASE_URL: TEST_PG_URL, DMP_GATEWAY_DATABASE_SCHEMA: PG_SCHEMA, DMP_GATEWAY_AUDIT_SUBJECT_KEY: 'c'.repeat(40) }) },
] as const;

for (const engine of ENGINES_E2E) {describe(`crash safety (${engine.name})`, () => {
  it('SIGKILL at random moments: after restart every report is delivered exactly once', async () => {
    const cwd = tempDir();
    console.log(`crash test folder: ${cwd}`);
    const pki = testPki();
    cpSync(pki.dir, join(cwd, 'data', 'pki'), { recursive: true });
    const sim = await startSimulatorProcess(cwd);
    const env = gatewayEnv(sim.url, engine.env());
    let gw = await startGatewayProcess(cwd, env);
    const children: Child[] = [sim.child, gw.child];
    try {
      const tokens = JSON.parse(readFileSync(join(cwd, 'data', 'sandbox-tokens.json'), 'utf8')) as Record<string, string>;
      const N = 24;
      // Kill points: after these submissions, and once more while the backlog drains.
      const seed = Date.now() % 1000;
      const killAfter = new Set([3 + (seed % 5), 10 + (seed % 4), 17 + (seed % 3)]);
      let kills = 0;
      for (let i = 0; i < N; i++) {
        // The SIL resends until it gets an acknowledgement; the gateway's idempotency makes that safe.
        for (let tries = 0; ; tries++) {
          try {
            const r = await fetch(`${gw.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/hl7-v2', authorization: `Bearer ${tokens['sil']}` }, body: message(i) });
            assert.ok(r.status === 202 || r.status === 200, `report ${i}: HTTP ${r.status} ${await r.text()}`);
            break;
          } catch (e) {
            assert.ok(tries < 3, `report ${i} could not be submitted: ${(e as Error).message}`);
            gw = await startGatewayProcess(cwd, env);
            children.push(gw.child);
          }
        }
        if (killAfter.has(i)) {
          // Let the workers get into the middle of things, then kill without warning.
          await sleep(50 + ((seed * (i + 1)) % 400));
          gw.child.kill('SIGKILL');
          await gw.child.exited();
          kills++;
          gw = await startGatewayProcess(cwd, env);
          children.push(gw.child);
        }
      }
      await sleep(150);
      gw.child.kill('SIGKILL');
      await gw.child.exited();
      kills++;
      gw = await startGatewayProcess(cwd, env);
      children.push(gw.child);
      assert.ok(kills >= 4);

      // Everything ends delivered, exactly once.
      const deadline = Date.now() + 240000;
      // The CDA entries (each submission also registers its XAdES signature document, which has no setId).
      const cdas = async (): Promise<Awaited<ReturnType<typeof simDocuments>>> => (await simDocuments(pki, sim.url)).filter((d) => d.setId !== undefined);
      let docs = await cdas();
      while (docs.length < N && Date.now() < deadline) {
        await sleep(500);
        docs = await cdas();
      }
      assert.equal(docs.length, N, `the simulator holds ${docs.length} of ${N} documents`);
      assert.equal(new Set(docs.map((d) => d.uniqueId)).size, N, 'one document per uniqueId');
      assert.equal(new Set(docs.map((d) => d.setId)).size, N, `one document per report: ${JSON.stringify(docs.map((d) => [d.setId.slice(-6), d.versionNumber, d.status]))}`);
      const list = await fetch(`${gw.url}/v1/transmissions?limit=500`, { headers: { authorization: `Bearer ${tokens['compliance']}` } });
      const items = ((await list.json()) as { items: { status: string }[] }).items;
      assert.equal(items.length, N, 'one transmission per report, despite resends');
      const waitDelivered = Date.now() + 30000;
      let statuses = items.map((t) => t.status);
      while (statuses.some((s) => s !== 'delivered') && Date.now() < waitDelivered) {
        await sleep(300);
        statuses = (((await (await fetch(`${gw.url}/v1/transmissions?limit=500`, { headers: { authorization: `Bearer ${tokens['compliance']}` } })).json()) as { items: { status: string }[] }).items).map((t) => t.status);
      }
      assert.deepEqual([...new Set(statuses)], ['delivered']);
    } finally {
      for (const c of children) {
        c.kill('SIGKILL');
      }
    }
  });
});}
