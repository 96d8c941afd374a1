/**
 * The dashboard in a real browser: Debian's Chromium (scripts/install-system-deps.sh), headless, driven by
 * playwright-core, against a real gateway (startGateway, sandbox, SQLite). Signs in with an API token, filters
 * transmissions, opens an identity hold (reasons, SIL traits), releases it, follows the transmission, and checks
 * the audit trail page as compliance. A screenshot is kept under test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { appendAudit } from '../../src/adapters/storage/audit-store.js';
import { subjectHash } from '../../src/core/audit/chain.js';
import { tempDir } from '../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import type { LabReport } from '../../src/core/report/model.js';
import { REPO_ROOT } from '../helpers/child.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
/** A complete report (the HL7 v2 biochemistry fixture, as parsed): it builds a CR-BIO the DMP simulator accepts. */
const GOLDEN = (JSON.parse(readFileSync(new URL('../fixtures/labreport-golden/hl7v2-01-biochemistry-final.json', import.meta.url), 'utf8')) as { report: LabReport }).report;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const randomIds = { uuid: () => crypto.randomUUID() };

describe('dashboard in headless Chromium', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let tokens: Record<string, string>;
  let holdId: string;
  const dataDir = tempDir();
  before(async () => {
    const pki = testPki();
    const config = loadConfig({ env: { DMP_GATEWAY_DATA_DIR: dataDir, DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_PKI_DIR: pki.dir, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE, DMP_GATEWAY_MLLP_ENABLED: 'false', DMP_GATEWAY_LOG_LEVEL: 'silent', DMP_GATEWAY_OUTBOX_POLL_MS: '50' }, sandbox: true });
    gw = await startGateway(config);
    tokens = JSON.parse(readFileSync(gw.sandboxTokensPath ?? '', 'utf8')) as Record<string, string>;
    // Data, written directly in their final states (one transaction each, so the running workers never see them
    // half-made): one delivered report, one quarantined, and one held for identity review. The held one is QUAL but
    // a review reason (a warning, e.g. first names that differ from the INS traits on record) holds it for staff.
    const key = readFileSync(join(dataDir, 'subject-hash.key'), 'utf8').trim();
    const seed = async (n: number, status: string, patch: { issues?: unknown[]; dmpAnswer?: string; documentUniqueId?: string; lastErrorCode?: string } = {}): Promise<string> => {
      const report: LabReport = { ...GOLDEN, accessionNumber: `ACC-UI-${n}`, messageId: `MSG-UI-${n}`, placerOrderNumber: `CMD-UI-${n}` };
      const id = randomIds.uuid();
      const inbound = randomIds.uuid();
      const now = new Date().toISOString();
      await gw.db.transaction(async (tx) => {
        await tx.execute('INSERT INTO inbound_messages (id, sender, message_id, content_type, raw, raw_sha256, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [inbound, 'SIL^LAB', `MSG-UI-${n}`, 'application/hl7-v2', Buffer.from(`MSH|${n}`), '0'.repeat(64), now]);
        await tx.execute(
          `INSERT INTO transmissions (id, inbound_id, report_index, status, accession, ins_hash, report_json, issues_json, document_unique_id, dmp_answer, last_error_code, created_at, updated_at)
           VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [id, inbound, status, `ACC-UI-${n}`, subjectHash(key, report.patient.ins?.value ?? ''), JSON.stringify(report), JSON.stringify(patch.issues ?? []), patch.documentUniqueId ?? null, patch.dmpAnswer ?? null, patch.lastErrorCode ?? null, now, now],
        );
        await appendAudit(gw.db, tx, { type: 'transmission.state', actor: 'test:seed', outcome: 'info', transmissionId: id, details: { to: status } }, new Date(), randomIds.uuid());
      });
      return id;
    };
    await seed(1, 'delivered', { documentUniqueId: '1.2.250.1.999.1.1.1', dmpAnswer: '<rs:RegistryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>' });
    await seed(2, 'quarantined', { lastErrorCode: 'DOCUMENT_NONCONFORMANT' });
    holdId = await seed(3, 'identity_hold', { issues: [{ severity: 'warning', code: 'TRAIT_GIVEN_NAMES_DIFFER', path: 'PID[1].5', message: 'the birth first names differ from the INS traits on record' }] });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  const signIn = async (page: Page, role: string): Promise<void> => {
    await page.goto(`${gw.httpUrl}/ui/`);
    assert.match(page.url(), /\/ui\/login$/, 'not signed in: sent to the sign-in page');
    await page.fill('#token', tokens[role] ?? '');
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.httpUrl}/ui/`);
  };

  it('a wrong token is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.httpUrl}/ui/login`);
    await page.fill('#token', 'dgw_identity_not-a-token');
    await page.click('button[type=submit]');
    assert.match(await page.textContent('[role=alert]') ?? '', /Jeton inconnu/);
    await page.close();
  });

  it('identity staff: sign in, filter transmissions, open the hold, release it, follow the transmission', async () => {
    const page = await browser.newPage();
    await signIn(page, 'identity');
    assert.match(await page.textContent('h1') ?? '', /Tableau de bord/);
    assert.match(await page.textContent('#queue') ?? '', /File d'envoi/);

    await page.click('text=Transmissions');
    assert.equal(await page.locator('#transmissions tr[data-status]').count(), 3);
    await page.selectOption('select[name=status]', 'identity_hold');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/status=identity_hold/);
    const rows = page.locator('#transmissions tr[data-status]');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-status'), 'identity_hold');

    await page.click('header >> text=Mises en attente');
    await page.click(`a[href="/ui/holds/${holdId}"]`);
    assert.match(await page.textContent('#reasons') ?? '', /TRAIT_GIVEN_NAMES_DIFFER/);
    const traits = await page.textContent('table.traits') ?? '';
    assert.match(traits, /MARTIN/);
    assert.match(traits, /QUAL/);
    await page.check('input[name=confirmed]');
    await page.click('#release-form button[type=submit]');
    await page.waitForLoadState();
    const refusal = page.locator('[role=alert]');
    assert.equal(await refusal.count(), 0, (await refusal.count()) > 0 ? ((await refusal.first().textContent()) ?? '') : '');
    await page.waitForURL(/\/ui\/holds\?done=release/);
    assert.match(await page.textContent('[role=status]') ?? '', /Mise en attente levée/);
    assert.equal(await page.locator(`a[href="/ui/holds/${holdId}"]`).count(), 0, 'the hold is gone from the list');

    // The released report goes through the pipeline again (identity gate with the confirmation, CR-BIO build,
    // conformance gate) and is delivered to the sandbox's DMP simulator: the detail page shows it.
    // Wait (on the database, so as not to add page views to the trail) until the pipeline has settled it.
    const settled = ['delivered', 'quarantined', 'failed', 'rejected', 'identity_hold'];
    for (let i = 0; i < 600; i++) {
      const st = (await gw.db.query<{ status: string }>('SELECT status FROM transmissions WHERE id = ?', [holdId]))[0]?.status ?? '';
      if (settled.includes(st)) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${gw.httpUrl}/ui/transmissions/${holdId}`);
    const row = (await gw.db.query('SELECT issues_json, last_error FROM transmissions WHERE id = ?', [holdId]))[0];
    assert.equal(await page.textContent('#state'), 'Déposée au DMP', `state: ${(await page.textContent('#state')) ?? ''}; ${String(row?.['last_error'])} ${String(row?.['issues_json'])}`);
    assert.match(await page.textContent('#dmp-answer') ?? '', /Success/);
    const timeline = (await page.textContent('#timeline')) ?? '';
    assert.match(timeline, /Mise en attente levée/);
    assert.match(timeline, /Document CDA produit/);
    assert.match(timeline, /Réponse du DMP/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-hold-released.png'), fullPage: true });
    await page.close();

    const released = await gw.db.query("SELECT actor FROM audit_events WHERE type = 'identity.hold.released' AND transmission_id = ?", [holdId]);
    assert.equal(released.length, 1, 'the release is audited');
    const reads = await gw.db.query("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'user.read' AND transmission_id = ?", [holdId]);
    assert.ok(Number(reads[0]?.['n']) >= 2, 'opening the hold and the transmission are audited reads');
  });

  it('compliance staff: audit trail status and a transmission with the DMP answer', async () => {
    const page = await browser.newPage();
    await signIn(page, 'compliance');
    assert.match(await page.textContent('#audit-status') ?? '', /Piste d'audit intègre/);
    assert.match(await page.textContent('#certificates') ?? '', /jours restants/);
    await page.goto(`${gw.httpUrl}/ui/transmissions?status=delivered`);
    await page.click('#transmissions tr[data-status] a');
    assert.match(await page.textContent('#dmp-answer') ?? '', /ResponseStatusType:Success/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-transmission-detail.png'), fullPage: true });
    await page.goto(`${gw.httpUrl}/ui/holds`);
    assert.match(await page.textContent('h1') ?? '', /Accès refusé/, 'holds are for identity staff');
    await page.close();
  });
});
