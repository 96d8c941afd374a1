/**
 * Composition root: builds the adapters from the configuration and wires them into the use cases and the
 * HTTP/MLLP listeners. Nothing else in the gateway constructs adapters.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import { redactedConfig } from './config/config.js';
import { createLogger, type Logger } from './logging/logger.js';
import { openStorage } from './adapters/storage/open.js';
import type { Db } from './adapters/storage/db.js';
import { TransmissionStore } from './adapters/storage/transmissions.js';
import { TokenStore, ROLES } from './adapters/storage/tokens.js';
import { appendAudit, type AuditInput } from './adapters/storage/audit-store.js';
import { createMetrics, type GatewayMetrics } from './adapters/metrics/registry.js';
import { createApp, type RouteModule } from './adapters/http/app.js';
import type { HttpDeps } from './adapters/http/context.js';
import { transmissionRoutes } from './adapters/http/routes/transmissions.js';
import { identityHoldRoutes } from './adapters/http/routes/identity-holds.js';
import { insChecksFromConfig } from './adapters/http/routes/ins-checks.js';
import { replayRoutes } from './adapters/http/routes/replay.js';
import { auditRoutes } from './adapters/http/routes/audit.js';
import { evidenceRoutes } from './adapters/http/routes/audit-evidence.js';
import { uiRoutes } from './adapters/http/routes/ui.js';
import { startHttpsListener } from './adapters/http/client-cert.js';
import { intakeFor, reportRoutes } from './adapters/http/routes/reports.js';
import { startMllpServer } from './adapters/mllp/server.js';
import { mllpAccept } from './adapters/mllp/accept.js';
import { startCheckpoints } from './adapters/audit/checkpoints.js';
import { checkedAnsKit, startPipeline, type Pipeline } from './wiring/pipeline.js';
import { hostname } from 'node:os';
import { ensureTestPki, type TestPki } from '../certs/pki.js';
import type { Clock, Ids } from './app/ports.js';
import { subjectHash } from './core/audit/chain.js';

export interface GatewayOptions {
  readonly logDestination?: DestinationStream;
  readonly clock?: Clock;
  readonly ids?: Ids;
}

export interface RunningGateway {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly metrics: GatewayMetrics;
  readonly httpUrl: string;
  /** HTTPS with optional SIL client certificates, when http.tlsP12 is set. */
  readonly httpsUrl?: string;
  /** The MLLP listener's port, when mllp.enabled. */
  readonly mllpPort?: number;
  readonly pki?: TestPki;
  /** Sandbox only: the in-process DMP simulator, when no DMP endpoint is configured. */
  readonly dmpSimulatorUrl?: string;
  /** Sandbox only: where the per-role tokens were written. */
  readonly sandboxTokensPath?: string;
  close(): Promise<void>;
}

/** Every HTTP route module, in order. test/http/roles.test.ts builds the app from this list, so a new route gets a role test. */
export const routeModules: readonly RouteModule[] = [reportRoutes, transmissionRoutes, replayRoutes, auditRoutes, evidenceRoutes, uiRoutes, identityHoldRoutes, insChecksFromConfig];

const systemClock: Clock = { now: () => new Date() };
const randomIds: Ids = { uuid: () => randomUUID() };

/** The key behind the audit trail's keyed INS hash: configured, or (sandbox) generated once under dataDir. */
const subjectKeyFor = (config: Config): string => {
  if (config.audit.subjectKey) {
    return config.audit.subjectKey;
  }
  const file = resolve(config.dataDir, 'subject-hash.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
};

/** Sandbox: one API token per role, created on first start and written to <dataDir>/sandbox-tokens.json. */
const ensureSandboxTokens = async (config: Config, tokens: TokenStore, clock: Clock, ids: Ids): Promise<string> => {
  const path = resolve(config.dataDir, 'sandbox-tokens.json');
  if (existsSync(path) && (await tokens.count()) > 0) {
    return path;
  }
  const out: Record<string, string> = {};
  for (const role of ROLES) {
    out[role] = (await tokens.create(role, `sandbox ${role}`, ids.uuid(), clock.now())).token;
  }
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  return path;
};

export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<RunningGateway> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = createLogger({ level: config.log.level, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const sandbox = config.mode === 'sandbox';
  checkedAnsKit(config);
  if (sandbox) {
    mkdirSync(config.dataDir, { recursive: true });
  }
  const pki = sandbox ? ensureTestPki(resolve(config.pki.dir), config.pki.passphrase ?? 'sandbox-test-only') : undefined;
  const db = await openStorage(config.storage, { serving: true });
  const metrics = createMetrics();
  const transmissions = new TransmissionStore(db, clock, ids);
  const tokens = new TokenStore(db);
  const subjectKey = subjectKeyFor(config);
  const audit = async (input: AuditInput): Promise<void> => {
    await db.transaction((tx) => appendAudit(db, tx, input, clock.now(), ids.uuid()));
  };
  await audit({ type: 'config.loaded', actor: 'system:gateway', outcome: 'info', details: { config: redactedConfig(config) } });
  const sandboxTokensPath = sandbox ? await ensureSandboxTokens(config, tokens, clock, ids) : undefined;
  // Signed audit checkpoints: periodic, and one at shutdown (issue 8).
  const checkpoints = startCheckpoints({ db, config, clock, logger });

  // Set once the pipeline has started (after the listeners): a stored report wakes its processing loop.
  let pipeline: Pipeline | undefined;
  const deps: HttpDeps = { config, logger, db, metrics, tokens, transmissions, clock, ids, audit, subjectHash: (ins) => subjectHash(subjectKey, ins), workArrived: () => pipeline?.runner.wake('process') };
  const app = createApp(deps, routeModules);
  const server: Server = await new Promise((ok, fail) => {
    const s = app.listen(config.http.port, config.http.host, () => ok(s));
    s.once('error', fail);
  });
  const addr = server.address() as AddressInfo;
  const httpUrl = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address}:${addr.port}`;
  logger.info({ url: httpUrl, mode: config.mode, storage: db.engine }, 'dmp-gateway listening');
  const https = config.http.tlsP12 ? await startHttpsListener(config, app) : undefined;
  if (https) {
    logger.info({ url: https.url }, 'https listening (SIL client certificates accepted)');
  }
  // MLLP listener (issue 3): ACK only after the intake's durable commit.
  const mllp = config.mllp.enabled
    ? await startMllpServer({
        host: config.mllp.host,
        port: config.mllp.port,
        maxMessageBytes: config.mllp.maxMessageBytes,
        acknowledgement: config.mllp.acknowledgement,
        accept: mllpAccept(intakeFor(deps)),
        now: () => clock.now(),
        nextAckId: () => ids.uuid().replace(/-/g, '').slice(0, 20),
        logger: logger.child({ component: 'mllp' }),
      })
    : undefined;
  if (mllp) {
    logger.info({ host: config.mllp.host, port: mllp.port }, 'mllp listening');
  }
  // The pipeline: identity gate, CR-BIO build, conformance gate, outbox workers, DMP route (issues 4–7).
  try {
    pipeline = await startPipeline({ config, db, transmissions, metrics, clock, ids, logger, subjectHash: (ins) => subjectHash(subjectKey, ins), ...(pki ? { pki } : {}), instance: `${hostname()}-${process.pid}` });
  } catch (e) {
    await mllp?.close();
    await https?.close();
    await new Promise<void>((ok) => server.close(() => ok()));
    await checkpoints.stop();
    await db.close();
    throw e;
  }

  return {
    config,
    logger,
    db,
    metrics,
    httpUrl,
    ...(https ? { httpsUrl: https.url } : {}),
    ...(mllp ? { mllpPort: mllp.port } : {}),
    ...(pki ? { pki } : {}),
    ...(sandboxTokensPath ? { sandboxTokensPath } : {}),
    ...(pipeline.simulator ? { dmpSimulatorUrl: pipeline.simulator.url } : {}),
    async close() {
      await mllp?.close();
      await pipeline?.close();
      await https?.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await checkpoints.stop();
      await db.close();
      logger.flush();
    },
  };
}

