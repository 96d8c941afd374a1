import type { Command } from '../command.js';
import { configFromCli } from '../load-config.js';
import { redactedConfig } from '../../config/config.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'Check the configuration and print it (secrets masked).',
  help: `Usage: dmp-gateway config [--config FILE] [--sandbox]

Loads the configuration (defaults < FILE < DMP_GATEWAY_* environment), validates it and prints it as JSON
with secrets masked. Exits 1 listing every problem when it is invalid.`,
  options: { config: { type: 'string' }, sandbox: { type: 'boolean' } },
  run({ values }, io) {
    const config = configFromCli(values, io);
    io.out(JSON.stringify(redactedConfig(config), null, 2));
    return Promise.resolve(0);
  },
};
