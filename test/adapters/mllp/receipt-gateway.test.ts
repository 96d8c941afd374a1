/**
 * The SIL's DMP receipts as `serve --sandbox` wires them (startGateway): an ORU with ACK_RECEPTION = Y sent over MLLP
 * is delivered to the in-process DMP simulator and the SIL's own MLLP listener then gets the ZAM^Z01 (Y). Without
 * `sil.receipts.host`/`port` nothing is sent, a start-up line says so, and the receipt is kept. The two settings
 * go together.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { sendMllp } from '../../../src/adapters/mllp/client.js';
import { tempDir } from '../../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';
import { ANS_KIT, sleep } from '../../helpers/gateway-process.js';
import { FakeSil } from '../../helpers/fake-sil.js';
import { LogSink } from '../../helpers/log-sink.js';
import { fixture } from '../../unit/hl7v2/golden.js';
import { oruWithAckReception, zamOf } from '../../app/receipts/zam-helpers.js';

const baseEnv = (): Record<string, string> => ({
  DMP_GATEWAY_DATA_DIR: join(tempDir(), 'data'),
  DMP_GATEWAY_PKI_DIR: testPki().dir,
  DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
  DMP_GATEWAY_ANS_KIT: ANS_KIT,
  DMP_GATEWAY_HTTP_PORT: '0',
  DMP_GATEWAY_MLLP_PORT: '0',
  DMP_GATEWAY_OUTBOX_POLL_MS: '20',
  // The runner's lease-renewal loop sleeps a third of the lease and stop() waits for it: keep close() short.
  DMP_GATEWAY_OUTBOX_LEASE_MS: '3000',
});

const until = async (what: string, done: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
};

const statusOf = async (gw: RunningGateway, messageId: string): Promise<string | undefined> =>
  (await gw.db.query<{ status: string }>('SELECT t.status FROM transmissions t JOIN inbound_messages i ON i.id = t.inbound_id WHERE i.message_id = ?', [messageId]))[0]?.status;

describe('DMP receipts in the running gateway (sandbox)', () => {
  let sil: FakeSil;
  let gw: RunningGateway;
  const sink = new LogSink();
  before(async () => {
    sil = await FakeSil.start();
    const config = loadConfig({ env: { ...baseEnv(), DMP_GATEWAY_SIL_RECEIPTS_HOST: '127.0.0.1', DMP_GATEWAY_SIL_RECEIPTS_PORT: String(sil.port), DMP_GATEWAY_SIL_RECEIPTS_TIMEOUT_MS: '5000' }, sandbox: true });
    gw = await startGateway(config, { logDestination: sink });
  });
  after(async () => {
    await gw.close();
    await sil.down();
  });

  it('ORU with ACK_RECEPTION = Y over MLLP → CA (its MSH-15 is AL), delivered, then one ZAM^Z01 with Y naming the ORU', async () => {
    assert.ok(gw.mllpPort);
    const raw = oruWithAckReception(fixture('hl7v2', '01-biochemistry-final.hl7'), 'MSG-ZAM-GW-1', true);
    const ack = (await sendMllp({ host: '127.0.0.1', port: gw.mllpPort, payload: raw })).toString('utf8');
    assert.match(ack, /\rMSA\|CA\|MSG-ZAM-GW-1\|/, 'enhanced mode: the commit ACK');
    await until('the ZAM', () => sil.received.length > 0);
    assert.equal(await statusOf(gw, 'MSG-ZAM-GW-1'), 'delivered');
    const zam = zamOf(sil.received[0]);
    assert.equal(zam.msh.get(9, 1), 'ZAM');
    assert.equal(zam.obx?.get(4), 'MSG-ZAM-GW-1');
    assert.equal(zam.obx?.get(5, 1), 'Y');
    await sleep(300);
    assert.equal(sil.received.length, 1, 'exactly one');
    assert.ok(sink.parsed.some((l) => l['msg'] === 'DMP receipts to the SIL: sending over MLLP'));
    for (const forbidden of ['185076912304596', 'MARTIN', '19850714']) {
      assert.ok(!sink.text.includes(forbidden), `${forbidden} leaked into the logs`);
    }
  });
});

describe('DMP receipts without a SIL address (sandbox)', () => {
  let sil: FakeSil;
  let gw: RunningGateway;
  const sink = new LogSink();
  before(async () => {
    sil = await FakeSil.start();
    gw = await startGateway(loadConfig({ env: baseEnv(), sandbox: true }), { logDestination: sink });
  });
  after(async () => {
    await gw.close();
    await sil.down();
  });

  it('nothing sent, the receipt kept pending, and a start-up line says why', async () => {
    assert.ok(sink.parsed.some((l) => String(l['msg']).startsWith('DMP receipts to the SIL are not sent')));
    assert.ok(gw.mllpPort);
    const raw = oruWithAckReception(fixture('hl7v2', '01-biochemistry-final.hl7'), 'MSG-ZAM-GW-2', true);
    await sendMllp({ host: '127.0.0.1', port: gw.mllpPort, payload: raw });
    await until('delivery', async () => (await statusOf(gw, 'MSG-ZAM-GW-2')) === 'delivered');
    const rows = await gw.db.query<{ state: string }>('SELECT state FROM sil_receipts');
    assert.deepEqual(rows.map((r) => r.state), ['pending']);
    assert.equal(sil.received.length, 0);
  });
});

describe('sil.receipts settings', () => {
  it('host and port go together', () => {
    assert.throws(
      () => loadConfig({ env: { DMP_GATEWAY_SIL_RECEIPTS_HOST: 'sil.lab.local' }, sandbox: true }),
      (e: unknown) => e instanceof GatewayError && e.issues.some((i) => i.path === 'sil.receipts.port'),
    );
    const c = loadConfig({ env: { DMP_GATEWAY_SIL_RECEIPTS_HOST: 'sil.lab.local', DMP_GATEWAY_SIL_RECEIPTS_PORT: '2576' }, sandbox: true });
    assert.deepEqual(c.sil.receipts, { host: 'sil.lab.local', port: 2576, timeoutMs: 30000, maxAttempts: 48 });
    assert.deepEqual(loadConfig({ env: {}, sandbox: true }).sil.receipts, { timeoutMs: 30000, maxAttempts: 48 });
  });
});
