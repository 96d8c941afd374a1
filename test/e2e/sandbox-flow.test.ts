/**
 * The sandbox end to end (issue 6): ORU messages posted to the gateway end as documents in the in-process
 * DMP simulator, with a verified signature and complete metadata; the final version then replaces the
 * partial one, and the corrected one replaces the final.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { tempDir } from '../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import { simDocuments } from '../helpers/sim-client.js';
import { ANS_KIT, listTransmissions, postReport, sleep, tokensOf } from '../helpers/gateway-process.js';
import { LogSink } from '../helpers/log-sink.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/hl7v2/${name}.hl7`, import.meta.url), 'utf8');

describe('sandbox: SIL to DMP', () => {
  let gw: RunningGateway;
  const sink = new LogSink();
  before(async () => {
    const dataDir = tempDir();
    const pki = testPki();
    const config = loadConfig({
      env: {
        DMP_GATEWAY_DATA_DIR: dataDir,
        DMP_GATEWAY_PKI_DIR: pki.dir,
        DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
        DMP_GATEWAY_HTTP_PORT: '0',
        DMP_GATEWAY_MLLP_PORT: '0',
        DMP_GATEWAY_ANS_KIT: ANS_KIT,
        DMP_GATEWAY_OUTBOX_POLL_MS: '20',
      },
      sandbox: true,
    });
    gw = await startGateway(config, { logDestination: sink });
  });
  after(() => gw.close());

  it('partial → final → corrected: each a document in the DMP replacing the previous one, signed and with its metadata', async () => {
    const tokens = tokensOf(gw.config.dataDir);
    for (const name of ['05-version-partial', '06-version-final', '07-version-corrected']) {
      const r = await postReport(gw.httpUrl, tokens['sil'] ?? '', fixture(name));
      assert.equal(r.status, 202, await r.text());
    }
    const pki = gw.pki;
    assert.ok(pki && gw.dmpSimulatorUrl);
    const deadline = Date.now() + 120000;
    let docs = (await simDocuments(pki, gw.dmpSimulatorUrl)).filter((d) => d.setId !== undefined);
    while ((docs.length < 3 || docs.filter((d) => d.status === 'approved').length !== 1) && Date.now() < deadline) {
      await sleep(300);
      docs = (await simDocuments(pki, gw.dmpSimulatorUrl)).filter((d) => d.setId !== undefined);
    }
    const byVersion = [...docs].sort((a, b) => a.versionNumber - b.versionNumber) as (typeof docs[number] & { replaces?: string; replacedBy?: string; confidentialityCodes?: string[]; title?: string; hash?: string; size?: number })[];
    assert.deepEqual(byVersion.map((d) => [d.versionNumber, d.status]), [[1, 'deprecated'], [2, 'deprecated'], [3, 'approved']]);
    assert.equal(new Set(byVersion.map((d) => d.setId)).size, 1, 'one setId for the three versions');
    assert.equal(byVersion[1]?.replaces !== undefined, true, 'v2 replaces (RPLC) v1');
    for (const d of byVersion) {
      assert.equal(d.signatureVerified, true, 'VIHF and XAdES verified by the simulator');
      assert.equal(d.patientIns, '185076912304596');
      assert.equal(d.title, "Compte rendu d'examens biologiques");
      assert.match(d.hash ?? '', /^[0-9a-f]{40}$/);
      assert.ok((d.size ?? 0) > 1000);
    }
    const items = await listTransmissions(gw.httpUrl, tokens['compliance'] ?? '');
    assert.deepEqual(items.map((t) => t.status), ['delivered', 'delivered', 'delivered']);
    // And no patient data in any log line of the whole flow.
    for (const forbidden of ['185076912304596', 'MARTIN', 'DURAND', '19850714', '1985-07-14']) {
      assert.ok(!sink.text.includes(forbidden), `${forbidden} leaked into the logs`);
    }
    assert.ok(sink.lines.length > 5);
  });
});
