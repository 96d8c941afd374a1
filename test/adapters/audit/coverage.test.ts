/**
 * The trail of one report, end to end on a real gateway (sandbox: SQLite, test PKI, in-process DMP simulator):
 * a report posted by the SIL is delivered, and the trail holds each step with its facts — input hash, identity
 * decision, document hash, delivery attempt, the DMP's answer with the certificate used — plus the configuration
 * and certificate loaded at start; then verification holds, and a signed checkpoint is written at shutdown.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { tempDir } from '../../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';

const HL7 = readFileSync(new URL('../../fixtures/hl7v2/01-biochemistry-final.hl7', import.meta.url));

describe('audit trail of a delivered report (real gateway)', () => {
  let gw: RunningGateway;
  let tokens: Record<string, string>;
  const dataDir = tempDir();
  let id = '';
  before(async () => {
    const config = loadConfig({ env: { DMP_GATEWAY_DATA_DIR: dataDir, DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_PKI_DIR: testPki().dir, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE, DMP_GATEWAY_MLLP_ENABLED: 'false', DMP_GATEWAY_LOG_LEVEL: 'silent', DMP_GATEWAY_OUTBOX_POLL_MS: '50' }, sandbox: true });
    gw = await startGateway(config);
    tokens = JSON.parse(readFileSync(join(dataDir, 'sandbox-tokens.json'), 'utf8')) as Record<string, string>;
    const r = await fetch(`${gw.httpUrl}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/hl7-v2', authorization: `Bearer ${tokens['sil']}` }, body: HL7 });
    assert.equal(r.status, 202, await r.clone().text());
    id = ((await r.json()) as { id: string }).id;
    for (let i = 0; i < 600; i++) {
      const st = (await gw.db.query<{ status: string }>('SELECT status FROM transmissions WHERE id = ?', [id]))[0]?.status;
      if (st === 'delivered' || st === 'failed' || st === 'quarantined' || st === 'identity_hold') {
        break;
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
  });
  after(() => gw?.close());

  it('each step is in the trail with its facts', async () => {
    const rows = await gw.db.query<{ type: string; details: string; subject_hash: string | null; document_unique_id: string | null }>('SELECT type, details, subject_hash, document_unique_id FROM audit_events WHERE transmission_id = ? ORDER BY seq', [id]);
    const of = (type: string): Record<string, unknown>[] => rows.filter((r) => r.type === type).map((r) => JSON.parse(r.details) as Record<string, unknown>);
    const status = (await gw.db.query<{ status: string }>('SELECT status FROM transmissions WHERE id = ?', [id]))[0]?.status;
    assert.equal(status, 'delivered', rows.map((r) => `${r.type} ${r.details}`).join('\n'));
    assert.equal(of('report.received')[0]?.['rawSha256'], createHash('sha256').update(HL7).digest('hex'), 'the input hash');
    assert.equal(of('identity.decision')[0]?.['outcome'], 'pass');
    const doc = (await gw.db.query<{ sha1: string; unique_id: string }>('SELECT sha1, unique_id FROM documents WHERE transmission_id = ?', [id]))[0];
    assert.equal(of('document.built')[0]?.['sha1'], doc?.sha1, 'the document hash');
    assert.ok(of('delivery.attempt').length >= 1);
    // The delivery names the certificate that signed the VIHF and the XAdES (the structure's signature certificate).
    assert.equal(of('delivery.outcome')[0]?.['certificateFingerprint'], testPki().entities.structureSign.fingerprint256, 'the certificate used');
    assert.ok(rows.every((r) => r.subject_hash && /^[0-9a-f]{64}$/.test(r.subject_hash)), 'every record names the patient by keyed hash');
    assert.ok(!rows.some((r) => r.details.includes('185076912304596')), 'never the INS itself');
    const answer = (await gw.db.query<{ dmp_answer: string }>('SELECT dmp_answer FROM transmissions WHERE id = ?', [id]))[0]?.dmp_answer ?? '';
    assert.match(answer, /ResponseStatusType:Success/, "the DMP's answer is kept with the transmission");
    const startup = (await gw.db.query<{ type: string; details: string }>("SELECT type, details FROM audit_events WHERE type IN ('config.loaded', 'certificate.loaded') ORDER BY seq"));
    assert.deepEqual(startup.map((r) => r.type), ['config.loaded', 'certificate.loaded']);
    assert.equal((JSON.parse(startup[1]?.details ?? '{}') as { fingerprint256: string }).fingerprint256, testPki().entities.structureSign.fingerprint256);
  });

  it('the trail verifies over HTTP, and shutdown writes a signed checkpoint', async () => {
    const r = await fetch(`${gw.httpUrl}/v1/audit/verify`, { headers: { authorization: `Bearer ${tokens['compliance']}` } });
    const v = (await r.json()) as { ok: boolean; records: number };
    assert.equal(v.ok, true);
    assert.ok(v.records > 5);
    const cps = await gw.db.query('SELECT COUNT(*) AS n FROM audit_checkpoints');
    assert.equal(Number(cps[0]?.['n']), 0, 'the interval has not elapsed yet');
    const { db } = gw;
    const last = Number((await db.query<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))[0]?.n);
    // close() writes the last checkpoint before closing storage: read it through a second connection.
    await gw.close();
    const { openSqlite } = await import('../../../src/adapters/storage/sqlite.js');
    const again = openSqlite(join(dataDir, 'gateway.db'));
    const cp = (await again.query<{ seq: number }>('SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'))[0];
    await again.close();
    assert.ok(Number(cp?.seq) >= last, 'the shutdown checkpoint covers the whole trail');
    gw = undefined as unknown as RunningGateway;
  });
});
