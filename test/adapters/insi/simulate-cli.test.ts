import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { runSimulateInsi } from '../../../src/cli/commands/simulate-insi.js';
import { InsiClient } from '../../../src/adapters/insi/client.js';
import { loadInsiCredentials } from '../../../src/adapters/insi/credentials.js';
import { tempDir } from '../../helpers/db.js';
import { FixedClock, sequentialIds } from '../../helpers/clock.js';

describe('dmp-gateway simulate insi', () => {
  it('runs the simulator on its own with a generated PKI; faults are injected over mTLS; stops when told', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const running = runSimulateInsi({ data: dir, idam: 'CLI-IDAM' }, { out: (l) => lines.push(l), err: () => undefined, env: { DMP_GATEWAY_PKI_PASSPHRASE: 'cli-test' }, cwd: dir }, stopped);
    while (lines.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const info = JSON.parse(lines[0] ?? '{}') as { url: string; clientP12: string; trustBundle: string };
    const creds = loadInsiCredentials(readFileSync(info.clientP12), 'cli-test');
    const trust = readFileSync(info.trustBundle, 'utf8');
    const client = new InsiClient({ endpoint: info.url, credentials: creds, trust, lps: { idam: 'CLI-IDAM', softwareName: 'dmp-gateway', softwareVersion: '0.1.0', instanceId: 'x' }, timeoutMs: 10_000, clock: new FixedClock(), ids: sequentialIds() });
    const a = await client.searchWithTraits({ birthName: 'NESSI', givenNames: ['MICHELANGELO'], sex: 'M', birthDate: '2010-08-07' });
    assert.equal(a.code, '00');
    // Fault injection through the control endpoint, over the same mutual TLS.
    await new Promise<void>((resolve, reject) => {
      const u = new URL(info.url);
      const body = JSON.stringify({ fault: { subcode: 'siram_100', code: 'desir_550', reason: 'injected' } });
      const req = request({ hostname: u.hostname, port: u.port, path: '/_sim/faults', method: 'POST', key: creds.key, cert: creds.certChain, ca: trust, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(String(res.statusCode)))));
      });
      req.on('error', reject);
      req.end(body);
    });
    await assert.rejects(client.searchWithTraits({ birthName: 'NESSI', givenNames: ['MICHELANGELO'], sex: 'M', birthDate: '2010-08-07' }), { code: 'INSI_SOFTWARE_UNKNOWN' });
    stop();
    assert.equal(await running, 0);
  });
});
