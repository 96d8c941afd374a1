/** Real gateway and DMP simulator processes for end-to-end tests (crash, outage, several instances). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type Child } from './child.js';
import { TEST_PKI_PASSPHRASE } from './pki.js';

export const ANS_KIT = fileURLToPath(new URL('../../../shared/reference/cda', import.meta.url));

const FIXTURE = readFileSync(new URL('../fixtures/hl7v2/01-biochemistry-final.hl7', import.meta.url), 'utf8');

/** ORU fixture 01 made into report number `i` of a run (own message id, accession and order). */
export const oruMessage = (i: number, tag = 'E2E'): string =>
  FIXTURE.replaceAll('MSG-0001', `MSG-${tag}-${i}`).replaceAll('ACC-2026-0001', `ACC-${tag}-${i}`).replaceAll('CMD-1001', `CMD-${tag}-${i}`);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `dmp-gateway simulate dmp` on data/ of `cwd` (its data/pki is the test PKI the gateway uses too). */
export const startSimulatorProcess = async (cwd: string, nodeArgs: readonly string[] = []): Promise<{ child: Child; url: string }> => {
  const child = runCli(['simulate', 'dmp', '--port', '0', '--data', join(cwd, 'data')], { cwd, env: { DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE, DMP_GATEWAY_ANS_KIT: ANS_KIT }, nodeArgs });
  const m = await child.waitFor(/(https:\/\/127\.0\.0\.1:\d+)/, 60000);
  return { child, url: m[1] ?? '' };
};

export const gatewayEnv = (simUrl: string, extra: Record<string, string> = {}): Record<string, string> => ({
  DMP_GATEWAY_HTTP_PORT: '0',
  DMP_GATEWAY_MLLP_PORT: '0',
  DMP_GATEWAY_DMP_ENDPOINT: simUrl,
  DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE,
  DMP_GATEWAY_OUTBOX_POLL_MS: '20',
  DMP_GATEWAY_OUTBOX_LEASE_MS: '3000',
  DMP_GATEWAY_OUTBOX_RETRY_BASE_MS: '200',
  DMP_GATEWAY_OUTBOX_RETRY_MAX_MS: '1000',
  DMP_GATEWAY_LOG_LEVEL: 'warn',
  DMP_GATEWAY_ANS_KIT: ANS_KIT,
  ...extra,
});

export const startGatewayProcess = async (cwd: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<{ child: Child; url: string }> => {
  const child = runCli(['serve', '--sandbox'], { cwd, env, nodeArgs });
  const m = await child.waitFor(/listening on (http:\/\/[\d.:]+)/, 60000);
  return { child, url: m[1] ?? '' };
};

export const tokensOf = (dataDir: string): Record<string, string> => JSON.parse(readFileSync(join(dataDir, 'sandbox-tokens.json'), 'utf8')) as Record<string, string>;

export const postReport = async (url: string, token: string, body: string): Promise<Response> =>
  fetch(`${url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/hl7-v2', authorization: `Bearer ${token}` }, body });

export const listTransmissions = async (url: string, token: string): Promise<{ status: string; lastErrorCode: string | null }[]> =>
  ((await (await fetch(`${url}/v1/transmissions?limit=500`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { status: string; lastErrorCode: string | null }[] }).items;
