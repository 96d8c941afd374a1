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
import { TransmissionStore } from '../../src/adapters/storage/transmissions.js';
import { subjectHash } from '../../src/core/audit/chain.js';
import { tempDir } from '../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import { sampleReport } from '../helpers/reports.js';
import { REPO_ROOT } from '../helpers/child.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
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
    const config = loadConfig({ env: { DMP_GATEWAY_DATA_DIR: dataDir, DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_PKI_DIR: pki.dir, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE, DMP_GATEWAY_MLLP_ENABLED: 'false', DMP_GATEWAY_LOG_LEVEL: 'silent', DMP_GATEWAY_OUTBOX_ENABLED: 'false' }, sandbox: true });
    gw = await startGateway(config);
    tokens = JSON.parse(readFileSync(gw.sandboxTokensPath ?? '', 'utf8')) as Record<string, string>;
    // Data: one delivered report, one failed, and one held for identity review.
    const key = readFileSync(join(dataDir, 'subject-hash.key'), 'utf8').trim();
    const store = new TransmissionStore(gw.db, { now: () => new Date() }, randomIds);
    const seed = async (n: number, held: boolean): Promise<string> => {
      // The held one: QUAL, but its first names differ from the INS traits on record (a review reason staff may confirm).
      const report = sampleReport({ accessionNumber: `ACC-${n}`, messageId: `MSG-${n}` }, held ? { birthGivenNames: 'DOMINIQUE' } : {});
      const r = await store.receive({ id: randomIds.uuid(), sender: 'SIL^LAB', messageId: `MSG-${n}`, contentType: 'application/hl7-v2', raw: Buffer.from(`MSH|…|${n}`) }, [{ id: randomIds.uuid(), reportIndex: 0, accession: `ACC-${n}`, insHash: subjectHash(key, report.patient.ins?.value ?? ''), reportJson: JSON.stringify(report) }], { actor: 'sil:SIL^LAB' });
      return r.transmissions[0]?.id ?? '';
    };
    const delivered = await seed(1, false);
    await store.transition(delivered, ['received'], 'ready', { documentUniqueId: '1.2.250.1.999.1.1.1' }, { type: 'document.built', actor: 'system:worker', outcome: 'success' });
    await store.transition(delivered, ['ready'], 'sending', { attempts: 1 }, { type: 'delivery.attempt', actor: 'system:worker', outcome: 'info' });
    await store.transition(delivered, ['sending'], 'delivered', { dmpAnswer: '<rs:RegistryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>' }, { type: 'delivery.outcome', actor: 'system:worker', outcome: 'success' });
    const failed = await seed(2, false);
    await store.transition(failed, ['received'], 'quarantined', { lastErrorCode: 'DOCUMENT_NONCONFORMANT' }, { type: 'document.quarantined', actor: 'system:worker', outcome: 'failure' });
    holdId = await seed(3, true);
    await store.transition(holdId, ['received'], 'identity_hold', { issues: [{ severity: 'warning', code: 'TRAIT_GIVEN_NAMES_DIFFER', path: 'PID[1].5', message: 'the birth first names differ from the INS traits on record' }] }, { type: 'transmission.state', actor: 'system:worker', outcome: 'failure' });
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
    assert.match(traits, /PAT-TROIS/);
    assert.match(traits, /QUAL/);
    await page.check('input[name=confirmed]');
    await page.click('#release-form button[type=submit]');
    await page.waitForLoadState();
    const refusal = page.locator('[role=alert]');
    assert.equal(await refusal.count(), 0, (await refusal.count()) > 0 ? ((await refusal.first().textContent()) ?? '') : '');
    await page.waitForURL(/\/ui\/holds\?done=release/);
    assert.match(await page.textContent('[role=status]') ?? '', /Mise en attente levée/);
    assert.equal(await page.locator(`a[href="/ui/holds/${holdId}"]`).count(), 0, 'the hold is gone from the list');

    await page.goto(`${gw.httpUrl}/ui/transmissions/${holdId}`);
    const stateText = (await page.textContent('#state')) ?? '';
    assert.notEqual(stateText, 'En attente (identité)');
    assert.match(await page.textContent('#timeline') ?? '', /Mise en attente levée/);
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
