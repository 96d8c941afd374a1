/**
 * The MLLP listener as `serve --sandbox` wires it (startGateway): an ORU sent over MLLP is acknowledged (CA: the
 * fixture asks for enhanced mode with MSH-15 AL) and shows up as a transmission in the HTTP API; the same message
 * again is CA and no second transmission.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { sendMllp } from '../../../src/adapters/mllp/client.js';
import { tempDir } from '../../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';
import { fixture } from '../../unit/hl7v2/golden.js';

describe('MLLP in the running gateway (sandbox)', () => {
  let gw: RunningGateway;
  let tokens: Record<string, string>;
  before(async () => {
    const cwd = tempDir();
    cpSync(testPki().dir, join(cwd, 'data', 'pki'), { recursive: true });
    const config = loadConfig({
      env: { DMP_GATEWAY_DATA_DIR: join(cwd, 'data'), DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_MLLP_PORT: '0', DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE, DMP_GATEWAY_LOG_LEVEL: 'silent' },
      sandbox: true,
    });
    gw = await startGateway(config);
    tokens = JSON.parse(readFileSync(gw.sandboxTokensPath ?? '', 'utf8')) as Record<string, string>;
  });
  after(async () => {
    await gw.close();
  });

  it('acknowledges CA after storing, once per message id', async () => {
    assert.ok(gw.mllpPort, 'the MLLP listener is started');
    const msg = fixture('hl7v2', '12-multi-battery-crlf.hl7');
    const ack1 = (await sendMllp({ host: '127.0.0.1', port: gw.mllpPort, payload: msg })).toString('utf8');
    assert.match(ack1, /\rMSA\|CA\|MSG-0012\|Stored/);
    assert.match(ack1, /\rERR\|\|OBX\^2\^5\^1\|0\^Message accepted\^messageErrorCondition\|W\|HL7_DECIMAL_COMMA/, 'warnings ride along as ERR W');
    const ack2 = (await sendMllp({ host: '127.0.0.1', port: gw.mllpPort, payload: msg })).toString('utf8');
    assert.match(ack2, /\rMSA\|CA\|MSG-0012\|Already received/);
    const res = await fetch(`${gw.httpUrl}/v1/transmissions?limit=50`, { headers: { authorization: `Bearer ${tokens['compliance'] ?? ''}` } });
    const body = (await res.json()) as { items: { accession: string }[] };
    assert.deepEqual(body.items.filter((t) => t.accession === 'ACC-2026-0012').length, 1);
  });
});
