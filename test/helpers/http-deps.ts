import { appendAudit, type AuditInput } from '../../src/adapters/storage/audit-store.js';
import type { Db } from '../../src/adapters/storage/db.js';
import { TokenStore } from '../../src/adapters/storage/tokens.js';
import { TransmissionStore } from '../../src/adapters/storage/transmissions.js';
import { createMetrics } from '../../src/adapters/metrics/registry.js';
import type { HttpDeps } from '../../src/adapters/http/context.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { subjectHash } from '../../src/core/audit/chain.js';
import { FixedClock, sequentialIds } from './clock.js';
import { LogSink } from './log-sink.js';

/** HttpDeps over a real database, with a log sink, a fixed clock and predictable ids. */
export function httpDeps(db: Db, env: Record<string, string> = {}): { deps: HttpDeps; sink: LogSink; clock: FixedClock; config: Config } {
  const sink = new LogSink();
  const clock = new FixedClock();
  const ids = sequentialIds();
  const config = loadConfig({ env: { DMP_GATEWAY_DATA_DIR: '/nonexistent', ...env }, sandbox: true });
  const deps: HttpDeps = {
    config,
    logger: createLogger({ level: 'info', destination: sink }),
    db,
    metrics: createMetrics(),
    tokens: new TokenStore(db),
    transmissions: new TransmissionStore(db, clock, ids),
    clock,
    ids,
    audit: async (input: AuditInput) => {
      await db.transaction((tx) => appendAudit(db, tx, input, clock.now(), ids.uuid()));
    },
    subjectHash: (ins) => subjectHash('test-subject-key-0123456789abcdef', ins),
  };
  return { deps, sink, clock, config };
}
