/**
 * Composition of the report pipeline (part of the composition root): the identity gate, the CR-BIO builder
 * with its PDF copy, the conformance gate, the DMP route (and, in sandbox mode without a configured DMP, the
 * strict DMP simulator in-process), the outbox runner that drives them, and the SIL's DMP receipts (receipts.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../adapters/storage/db.js';
import type { TransmissionStore } from '../adapters/storage/transmissions.js';
import { OutboxStore } from '../adapters/storage/outbox.js';
import type { GatewayMetrics } from '../adapters/metrics/registry.js';
import { createConformanceGate, type GateOptions } from '../adapters/validation/gate.js';
import { buildDocument } from '../adapters/workers/build.js';
import { DocumentWorker } from '../adapters/workers/pool.js';
import { createDmpRoute } from '../adapters/dmp/factory.js';
import { startDmpSimulator, type DmpSimulator } from '../../conformance/dmp/index.js';
import type { CdaSettings } from '../core/cda/index.js';
import { GatewayError } from '../core/errors/index.js';
import { identityGateWithRecord } from '../app/identity-holds.js';
import { InsTraitsStore } from '../adapters/insi/traits-store.js';
import { createOutboxRunner, type OutboxRunner } from '../app/outbox/runner.js';
import { RateLimiter } from '../app/outbox/rate-limiter.js';
import { applyRetention, refreshQueueMetrics, type HousekeepingDeps } from '../app/outbox/housekeeping.js';
import type { ProcessDeps } from '../app/outbox/process.js';
import type { DeliverDeps } from '../app/outbox/deliver.js';
import type { Clock, DmpRoute, Ids } from '../app/ports.js';
import type { TestPki } from '../../certs/pki.js';
import { wireReceipts, type ReceiptWiring } from './receipts.js';

/**
 * Documents built and gated on this thread (outbox.documentWorker off): as in the worker, the gate's parse also
 * gives the CDA header, stored with the document for delivery.
 */
export const inThreadDocuments = async (cdaSettings: CdaSettings, gateOptions: GateOptions): Promise<Pick<ProcessDeps, 'build' | 'validator' | 'buildChecked'>> => {
  const gate = await createConformanceGate(gateOptions);
  const build: ProcessDeps['build'] = (report, version) => buildDocument(report, version, cdaSettings);
  return {
    build,
    validator: gate,
    buildChecked: async (report, version) => {
      const built = await build(report, version);
      return { built, ...(await gate.check(built.xml)) };
    },
  };
};

export interface PipelineDeps {
  readonly config: Config;
  readonly db: Db;
  readonly transmissions: TransmissionStore;
  readonly metrics: GatewayMetrics;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
  readonly pki?: TestPki;
  /** Keyed hash standing for an INS in storage. */
  readonly subjectHash: (ins: string) => string;
  /** This instance's name in leases and the audit trail. */
  readonly instance: string;
}

export interface Pipeline {
  readonly runner: OutboxRunner;
  readonly route: DmpRoute;
  /** Sandbox: the in-process DMP simulator, when no DMP endpoint is configured. */
  readonly simulator?: DmpSimulator;
  /** The SIL's DMP receipts (ZAM^Z01): queued with each settled delivery; sent when sil.receipts is set. */
  readonly receipts: ReceiptWiring;
  close(): Promise<void>;
}

/** CR-BIO settings from the configuration: the laboratory as custodian and author organisation. */
export const cdaSettingsFrom = (config: Config): CdaSettings => {
  const lab = config.lab;
  const missing = (['name', 'finess', 'oid'] as const).filter((k) => !lab[k]);
  if (missing.length) {
    throw new GatewayError('CONFIG_INVALID', 'The laboratory settings needed for CR-BIO documents are missing.', {
      issues: missing.map((k) => ({ severity: 'error' as const, code: 'CONFIG_INVALID', path: `lab.${k}`, message: 'required to build CR-BIO documents' })),
    });
  }
  return {
    lab: {
      name: lab.name ?? '',
      finess: lab.finess ?? '',
      oid: lab.oid ?? '',
      address: { lines: lab.street ? [lab.street] : [], ...(lab.postalCode ? { postalCode: lab.postalCode } : {}), ...(lab.city ? { city: lab.city } : {}) },
      telecom: lab.phone ? [lab.phone.startsWith('tel:') ? lab.phone : `tel:${lab.phone}`] : [],
      practiceSetting: lab.practiceSetting,
      ...(lab.cofrac ? { cofrac: lab.cofrac } : {}),
    },
    software: { name: lab.softwareName, model: 'dmp-gateway' },
    encounterCode: 'AMB',
  };
};

/** Made once: building an Intl.DateTimeFormat with a time zone costs ~0.5 ms, formatting with it a few µs. */
const PARIS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** ISO 8601 with the offset of Europe/Paris at that instant (CDA times carry the local offset). */
export const parisTime = (d: Date): string => {
  const parts = PARIS.formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
};

/**
 * The ANS kit folder of the settings, checked: it must hold the CDA XSD. Called before the gateway opens anything
 * (storage, listeners), so that a wrong folder stops it with one clear error, and again by the pipeline.
 */
export const checkedAnsKit = (config: Config): string | undefined => {
  const ansKit = config.ansKit ? resolve(config.ansKit) : undefined;
  if (ansKit && !existsSync(join(ansKit, 'infrastructure', 'cda'))) {
    throw new GatewayError('CONFIG_INVALID', `The ANS kit folder ${ansKit} has no infrastructure/cda (CDA XSD).`, {
      issues: [{ severity: 'error', code: 'CONFIG_INVALID', path: 'ansKit', message: `no infrastructure/cda under ${ansKit} (DMP_GATEWAY_ANS_KIT)` }],
    });
  }
  return ansKit;
};

export async function startPipeline(deps: PipelineDeps): Promise<Pipeline> {
  const { config, logger } = deps;
  const sandbox = config.mode === 'sandbox';
  const ansKit = checkedAnsKit(config);

  // Sandbox without a configured DMP: the strict simulator, in-process, persistent under dataDir.
  let simulator: DmpSimulator | undefined;
  let routeConfig = config;
  if (sandbox && !config.dmp.endpoint) {
    if (!deps.pki || !ansKit) {
      throw new GatewayError('CONFIG_INVALID', 'The sandbox DMP simulator needs the test PKI and the ANS kit (DMP_GATEWAY_ANS_KIT).');
    }
    simulator = await startDmpSimulator({ host: '127.0.0.1', port: 0, dataDir: resolve(config.dataDir, 'dmp-simulator'), pki: deps.pki, ansKitDir: ansKit });
    routeConfig = { ...config, dmp: { ...config.dmp, endpoint: `${simulator.url}/si-dmp-server/v2/services` } };
    logger.info({ url: simulator.url }, 'sandbox DMP simulator listening');
  }
  // Every request to the DMP (ITI-41, ITI-18, ITI-65) waits its turn right before it leaves: outbox.maxPerSecond.
  // Each release is logged at debug level (its log time is the release time; the outage test checks the spacing).
  const limiter = new RateLimiter(config.outbox.maxPerSecond);
  const dmpLog = logger.child({ component: 'dmp' });
  const route = createDmpRoute(routeConfig, { clock: deps.clock, ids: deps.ids, beforeRequest: async () => {
    await limiter.take();
    dmpLog.debug('request to the DMP released');
  } });

  const cdaSettings = cdaSettingsFrom(config);
  const gateOptions = ansKit ? { ansKit, schematron: config.conformance.schematron } : {};
  // The CPU-heavy part of processing (PDF, CDA, conformance gate) in a worker thread, or on this one.
  const worker = config.outbox.documentWorker ? new DocumentWorker({ cdaSettings, gate: gateOptions }) : undefined;
  const documents: Pick<ProcessDeps, 'build' | 'validator' | 'buildChecked'> = worker
    ? { build: (report, version) => worker.build(report, version), validator: { validate: (xml) => worker.validate(xml) }, buildChecked: (report, version) => worker.buildChecked(report, version) }
    : await inThreadDocuments(cdaSettings, gateOptions);
  // With the worker, a few reports in processing at once keep it fed (the next build waits in its queue while this
  // thread stores the previous one); on this thread the build would hold the event loop anyway.
  const processConcurrency = worker ? 3 : 1;
  const outbox = new OutboxStore(deps.db);
  const traits = new InsTraitsStore(deps.db, deps.subjectHash);
  const processDeps: ProcessDeps = {
    db: deps.db,
    transmissions: deps.transmissions,
    outbox,
    clock: deps.clock,
    ids: deps.ids,
    // The gate compares the report's strict traits with the INS traits of an earlier INSi answer, when held.
    identityGate: identityGateWithRecord(config.ins, async (ins) => (await traits.get(ins))?.traits),
    // The SIL's PDF when it sent one; otherwise the gateway renders one (pdf-lib).
    ...documents,
    formatTime: parisTime,
  };
  const o = config.outbox;
  // The SIL's DMP receipts are queued in the transaction that settles each delivery (ACK_RECEPTION = Y).
  const receipts = wireReceipts({ config, db: deps.db, clock: deps.clock, ids: deps.ids, logger, instance: deps.instance });
  const deliverDeps: DeliverDeps = {
    db: deps.db,
    transmissions: deps.transmissions,
    outbox,
    route,
    clock: deps.clock,
    ids: deps.ids,
    retry: { baseMs: o.retryBaseMs, maxDelayMs: o.retryMaxMs, maxAttempts: o.maxAttempts, maxAgeMs: o.maxAgeHours * 3600 * 1000 },
    leaseMs: o.leaseMs,
    random: Math.random,
    metrics: deps.metrics,
    owner: deps.instance,
    onSettled: receipts.onSettled,
  };
  const runner = createOutboxRunner(processDeps, deliverDeps, { pollMs: o.pollMs, concurrency: o.concurrency, batch: Math.max(o.concurrency, 8), processConcurrency, breaker: { threshold: o.breakerThreshold, cooldownMs: o.breakerCooldownMs } }, logger.child({ component: 'outbox' }));
  if (o.enabled) {
    runner.start();
  }
  await receipts.start().catch((e: unknown) => logger.warn({ err: e }, 'DMP receipts: start-up check failed'));

  // Housekeeping: queue metrics every few seconds, retention hourly.
  const hk: HousekeepingDeps = { db: deps.db, transmissions: deps.transmissions, outbox, metrics: deps.metrics, clock: deps.clock, ids: deps.ids, retentionDays: config.retention.days, receipts: receipts.store };
  const metricsTimer = setInterval(() => {
    refreshQueueMetrics(hk).catch((e: unknown) => logger.warn({ err: e }, 'queue metrics refresh failed'));
  }, 5000);
  metricsTimer.unref();
  const retentionTimer = setInterval(() => {
    applyRetention(hk).catch((e: unknown) => logger.error({ err: e }, 'retention failed'));
  }, 3600 * 1000);
  retentionTimer.unref();
  await refreshQueueMetrics(hk);

  return {
    runner,
    route,
    ...(simulator ? { simulator } : {}),
    receipts,
    async close() {
      clearInterval(metricsTimer);
      clearInterval(retentionTimer);
      await runner.stop();
      await receipts.stop();
      await worker?.close();
      await (route).close?.();
      await simulator?.close();
    },
  };
}
