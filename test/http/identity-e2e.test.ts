/**
 * End to end in sandbox (the gateway as `serve --sandbox` builds it: intake, pipeline, in-process DMP
 * simulator over mTLS): a report whose identity is not QUAL never reaches the DMP simulator; releasing its
 * hold with the qualified identity from the SIL sends it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { tempDir } from '../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import type { TestPki } from '../../certs/pki.js';

const fixture = (): string => readFileSync(new URL('../fixtures/hl7v2/01-biochemistry-final.hl7', import.meta.url), 'utf8');

describe('identity hold end to end (sandbox gateway + DMP simulator)', () => {
  let gw: RunningGateway;
  let tokens: Record<string, string>;
  let pki: TestPki;

  before(async () => {
    const cwd = tempDir();
    pki = testPki();
    cpSync(pki.dir, join(cwd, 'data', 'pki'), { recursive: true });
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

  const api = async (method: string, path: string, role: string, body?: string, type = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${gw.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${tokens[role]}`, ...(body ? { 'content-type': type } : {}) }, ...(body ? { body } : {}) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const simDocuments = (): Promise<{ patientIns: string; title?: string; versionNumber?: number }[]> =>
    new Promise((resolve, reject) => {
      const u = new URL(gw.dmpSimulatorUrl ?? '');
      const req = request({ hostname: u.hostname, port: u.port, path: '/_sim/documents', method: 'GET', key: pki.entities.structureAuth.key, cert: pki.entities.structureAuth.cert, ca: pki.caBundle, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { documents: { patientIns: string; title?: string; versionNumber?: number }[] }).documents));
      });
      req.on('error', reject);
      req.end();
    });
  const waitFor = async (id: string, states: readonly string[]): Promise<string> => {
    for (let i = 0; i < 600; i += 1) {
      const s = String((await api('GET', `/v1/transmissions/${id}`, 'compliance')).json['status']);
      if (states.includes(s)) {
        return s;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`transmission ${id} never reached ${states.join('/')}`);
  };

  it('a VALI report is held, never sent; the qualified update releases it and it is delivered', async () => {
    assert.ok(gw.dmpSimulatorUrl, 'sandbox runs the DMP simulator in process');
    const vali = fixture().replace(/\|QUAL(\r|\n|$)/, '|VALI$1');
    assert.notEqual(vali, fixture(), 'the fixture carries PID-32 QUAL');
    const posted = await api('POST', '/v1/reports', 'sil', vali, 'application/hl7-v2');
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    const id = String(posted.json['id']);
    assert.equal(await waitFor(id, ['identity_hold', 'ready', 'delivered', 'quarantined']), 'identity_hold');
    const hold = await api('GET', `/v1/identity-holds/${id}`, 'identity');
    assert.deepEqual((hold.json['reasons'] as { code: string }[]).map((r) => r.code), ['IDENTITY_NOT_QUALIFIED']);
    assert.equal((await simDocuments()).filter((d) => d.patientIns.includes('185076912304596')).length, 0);

    const identity = {
      ins: { value: '185076912304596', oid: '1.2.250.1.213.1.4.8' },
      identifiers: [{ system: '1.2.250.1.999.1.1', value: 'IPP000123' }],
      birthName: 'MARTIN',
      birthGivenNames: 'JEAN PIERRE',
      firstGivenName: 'JEAN',
      sex: 'M',
      birthDate: '1985-07-14',
      birthPlaceCog: '69123',
      usedName: 'DURAND-MARTIN',
      status: 'QUAL',
      attributes: [],
      evidence: { documentType: 'CNI', checkedOn: '2026-03-10' },
    };
    const released = await api('POST', `/v1/identity-holds/${id}/release`, 'identity', JSON.stringify({ identity }));
    assert.equal(released.status, 200, JSON.stringify(released.json));
    assert.equal(await waitFor(id, ['delivered', 'quarantined', 'failed', 'rejected', 'identity_hold']), 'delivered');
    // One CR-BIO document (with its set id) for this patient; the submission's signature entry has none.
    const docs = (await simDocuments()).filter((d) => d.patientIns.includes('185076912304596'));
    assert.deepEqual(docs.map((d) => [d.title, d.versionNumber]).filter(([, v]) => v !== undefined), [["Compte rendu d'examens biologiques", 1]]);
  });
});
