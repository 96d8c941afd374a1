/**
 * Builds the INSi client from the configuration. In sandbox mode without an INSi endpoint, starts the INSi
 * simulator in process (real TLS on 127.0.0.1, test PKI) and points the client at it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import type { Clock, Ids } from '../../app/ports.js';
import { GatewayError } from '../../core/errors/index.js';
import { ensureTestPki, type TestPki } from '../../../certs/pki.js';
import { startInsiSimulator, type InsiSimulator } from '../../../conformance/insi/simulator.js';
import { InsiClient } from './client.js';
import { loadInsiCredentials } from './credentials.js';

export interface InsiSetup {
  readonly client: InsiClient;
  readonly endpoint: string;
  readonly simulator?: InsiSimulator;
  close(): Promise<void>;
}

const SOFTWARE = { softwareName: 'dmp-gateway', softwareVersion: '0.1.0' } as const;

export async function openInsi(config: Config, deps: { clock: Clock; ids: Ids; pki?: TestPki }): Promise<InsiSetup> {
  const passphrase = config.pki.passphrase ?? '';
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch {
      throw new GatewayError('INSI_NOT_CONFIGURED', `Cannot read the ${what} (${path}).`);
    }
  };
  const idam = config.insi.idam;
  if (!idam) {
    throw new GatewayError('INSI_NOT_CONFIGURED', 'The INSi software authorisation number is not set (DMP_GATEWAY_INSI_IDAM).');
  }
  const lps = { idam, ...SOFTWARE, instanceId: config.lab.finess ?? 'dmp-gateway' };
  if (config.mode === 'sandbox' && !config.insi.endpoint) {
    const pki = deps.pki ?? ensureTestPki(resolve(config.pki.dir), passphrase || 'sandbox-test-only');
    const simulator = await startInsiSimulator({ cert: pki.entities.insiServer.cert, key: pki.entities.insiServer.key, clientCa: pki.caBundle, knownIdams: [idam], unref: true });
    const client = new InsiClient({
      endpoint: simulator.url,
      credentials: loadInsiCredentials(read(pki.entities.insiClient.p12Path, 'INSi client PKCS#12'), pki.passphrase),
      trust: pki.caBundle,
      lps,
      timeoutMs: config.insi.timeoutMs,
      clock: deps.clock,
      ids: deps.ids,
    });
    return { client, endpoint: simulator.url, simulator, close: () => simulator.close() };
  }
  if (!config.insi.endpoint) {
    throw new GatewayError('INSI_NOT_CONFIGURED', 'The INSi endpoint is not set (DMP_GATEWAY_INSI_ENDPOINT).');
  }
  const p12Path = config.insi.clientP12 ?? join(config.pki.dir, 'insiClient.p12');
  const trustPath = config.insi.trustBundle ?? join(config.pki.dir, 'ca-bundle.pem');
  const client = new InsiClient({
    endpoint: config.insi.endpoint,
    credentials: loadInsiCredentials(read(p12Path, 'INSi client PKCS#12'), passphrase),
    trust: read(trustPath, 'INSi trust bundle').toString('utf8'),
    lps,
    timeoutMs: config.insi.timeoutMs,
    clock: deps.clock,
    ids: deps.ids,
  });
  return { client, endpoint: config.insi.endpoint, close: () => Promise.resolve() };
}
