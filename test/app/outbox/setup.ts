/**
 * The outbox suites' setting, on one engine: a database (opened once per suite), and before each test a fresh clock,
 * stores, in-memory DMP and the processing and delivery deps; with helpers to submit, process and deliver. A test
 * that replaces `p` or `d` does it on the context, which the helpers read.
 */
import { after, before, beforeEach } from 'node:test';
import { randomUUID } from 'node:crypto';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { evaluateIdentity } from '../../../src/core/ins/gate.js';
import { processReceived, type ProcessDeps } from '../../../src/app/outbox/process.js';
import { deliverOne, type DeliverDeps } from '../../../src/app/outbox/deliver.js';
import type { LabReport } from '../../../src/core/report/model.js';
import type { ENGINES, TestDb } from '../../helpers/db.js';
import { FixedClock } from '../../helpers/clock.js';
import { FakeDmp } from '../../helpers/fake-route.js';

export const ACCEPTED = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10'];

export interface OutboxContext {
  t: TestDb;
  clock: FixedClock;
  store: TransmissionStore;
  outbox: OutboxStore;
  dmp: FakeDmp;
  p: ProcessDeps;
  d: DeliverDeps;
  /** Stores one report (its own inbound message) as `received`; returns the transmission id. */
  readonly submit: (report: LabReport) => Promise<string>;
  /** Claims and processes every received transmission, one after the other. */
  readonly processAll: () => Promise<void>;
  /** Claims and delivers every due transmission, one after the other. */
  readonly deliverAll: () => Promise<void>;
  readonly status: (id: string) => Promise<string>;
}

/** Registers the suite's hooks (call it inside a describe) and returns the context they fill. */
export function outboxContext(engine: (typeof ENGINES)[number]): OutboxContext {
  let n = 0;
  const c = {
    submit: async (report: LabReport): Promise<string> => {
      n++;
      // The clock is fixed, so reports stored one after the other share created_at and are told apart by id (the
      // claims order by created_at, id): zero-padded, an id's order is the order of submission.
      const k = String(n).padStart(6, '0');
      const r = await c.store.receive(
        { id: `in-${engine.name}-${k}`, sender: report.sender, messageId: `${report.messageId}-${k}`, contentType: 'application/json', raw: Buffer.from(JSON.stringify(report)) },
        [{ id: `tr-${engine.name}-${k}`, reportIndex: 0, accession: report.accessionNumber, insHash: 'h', reportJson: JSON.stringify(report) }],
        { actor: 'sil:test' },
      );
      return r.transmissions[0]?.id ?? '';
    },
    processAll: async (): Promise<void> => {
      for (const x of await c.outbox.claimReceived('p', c.clock.now(), new Date(c.clock.now().getTime() + 1000), 100)) {
        await processReceived(c.p, x);
      }
    },
    deliverAll: async (): Promise<void> => {
      for (const x of await c.outbox.claim('test-instance', c.clock.now(), new Date(c.clock.now().getTime() + 30000), 100)) {
        await deliverOne(c.d, x);
      }
    },
    status: async (id: string): Promise<string> => (await c.store.get(id))?.status ?? 'missing',
  } as OutboxContext;

  before(async () => {
    c.t = await engine.open();
  });
  after(() => c.t.dispose());
  beforeEach(() => {
    const db = c.t.db;
    const clock = new FixedClock('2026-03-01T10:00:00.000Z');
    const ids = { uuid: () => randomUUID() };
    const store = new TransmissionStore(db, clock, ids);
    const outbox = new OutboxStore(db);
    const dmp = new FakeDmp();
    Object.assign(c, {
      clock,
      store,
      outbox,
      dmp,
      p: {
        db,
        transmissions: store,
        outbox,
        clock,
        ids,
        identityGate: (r) => evaluateIdentity(r.patient, { acceptedOids: ACCEPTED }),
        build: (r, v) =>
          Promise.resolve({ xml: `<ClinicalDocument><id root="${v.documentId}"/><setId root="${v.setId}"/><versionNumber value="${v.versionNumber}"/>${v.replacesDocumentId ? `<parent root="${v.replacesDocumentId}"/>` : ''}<status>${r.status}</status></ClinicalDocument>`, issues: [] }),
        validator: { validate: (xml) => Promise.resolve(xml.includes('<status>cancelled</status>') ? [{ severity: 'error' as const, code: 'CDA_TEST_RULE', path: '/ClinicalDocument/status', message: 'test rule' }] : []) },
        formatTime: (x) => x.toISOString().replace('Z', '+00:00'),
      } satisfies ProcessDeps,
      d: {
        db,
        transmissions: store,
        outbox,
        route: dmp,
        clock,
        ids,
        retry: { baseMs: 1000, maxDelayMs: 60000, maxAttempts: 4, maxAgeMs: 24 * 3600 * 1000 },
        leaseMs: 30000,
        random: () => 0.5,
        owner: 'test-instance',
      } satisfies DeliverDeps,
    });
  });
  return c;
}
