import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { configFromCli } from '../load-config.js';
import { openStorage } from '../../adapters/storage/open.js';
import { TransmissionStore } from '../../adapters/storage/transmissions.js';
import { OutboxStore } from '../../adapters/storage/outbox.js';
import { failedBetween, replay } from '../../app/outbox/replay.js';
import { randomUUID } from 'node:crypto';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Send failed transmissions again, or rebuild quarantined ones (with a dry run).',
  help: `Usage: dmp-gateway replay ID [ID …] [--dry-run] [--config FILE]
       dmp-gateway replay --failed --from ISO --to ISO [--dry-run] [--config FILE]

A failed transmission goes back to the queue with the same document (same uniqueId); a quarantined one is
built and checked again. --dry-run prints what would happen and changes nothing. Works on the configured
database while the gateway runs (the running workers pick the transmissions up).`,
  options: { config: { type: 'string' }, sandbox: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, failed: { type: 'boolean' }, from: { type: 'string' }, to: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const config = configFromCli(values, io);
    if (values['failed'] === true && (typeof values['from'] !== 'string' || typeof values['to'] !== 'string')) {
      throw new UsageError('--failed needs --from and --to (ISO 8601 dates).');
    }
    if (values['failed'] !== true && positionals.length === 0) {
      throw new UsageError('give transmission ids, or --failed --from --to.');
    }
    const db = await openStorage(config.storage);
    try {
      const transmissions = new TransmissionStore(db, { now: () => new Date() }, { uuid: () => randomUUID() });
      const ids = values['failed'] === true ? await failedBetween(transmissions, String(values['from']), String(values['to'])) : positionals;
      const plans = await replay({ transmissions, outbox: new OutboxStore(db) }, ids, { dryRun: values['dry-run'] === true, actor: 'cli:replay' });
      io.out(JSON.stringify({ dryRun: values['dry-run'] === true, count: plans.length, plans }, null, 2));
      return 0;
    } finally {
      await db.close();
    }
  },
};
