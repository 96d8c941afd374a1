/**
 * A report posted to an idle gateway is not left waiting for the outbox's next poll: the intake wakes the
 * processing loop, and the processing loop the delivery loop (src/app/outbox/runner.ts). The poll interval here is
 * the longest allowed, a minute, and the test waits at most 30 s: only the wake-ups can carry the report through.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { tempDir } from '../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import { ANS_KIT, listTransmissions, postReport, sleep, tokensOf } from '../helpers/gateway-process.js';

describe('outbox wake-ups', () => {
  let gw: RunningGateway;
  before(async () => {
    const pki = testPki();
    const config = loadConfig({
      env: {
        DMP_GATEWAY_DATA_DIR: tempDir(),
        DMP_GATEWAY_PKI_DIR: pki.dir,
        DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
        DMP_GATEWAY_HTTP_PORT: '0',
        DMP_GATEWAY_MLLP_ENABLED: 'false',
        DMP_GATEWAY_ANS_KIT: ANS_KIT,
        DMP_GATEWAY_LOG_LEVEL: 'silent',
        DMP_GATEWAY_OUTBOX_POLL_MS: '60000',
      },
      sandbox: true,
    });
    gw = await startGateway(config);
  });
  after(() => gw.close());

  it('a report posted to an idle gateway reaches the DMP without waiting for a poll', async () => {
    const tokens = tokensOf(gw.config.dataDir);
    // Let both loops find nothing and settle into their minute-long pause.
    await sleep(500);
    const r = await postReport(gw.httpUrl, tokens['sil'] ?? '', readFileSync(new URL('../fixtures/hl7v2/01-biochemistry-final.hl7', import.meta.url), 'utf8'));
    assert.equal(r.status, 202, await r.text());
    let statuses: string[] = [];
    for (let i = 0; i < 120 && statuses[0] !== 'delivered'; i++) {
      await sleep(250);
      statuses = (await listTransmissions(gw.httpUrl, tokens['compliance'] ?? '')).map((t) => t.status);
    }
    assert.deepEqual(statuses, ['delivered']);
  });
});
