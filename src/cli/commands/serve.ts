import type { Command } from '../command.js';
import { configFromCli } from '../load-config.js';
import { startGateway } from '../../main.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the gateway (HTTP API, MLLP listener, delivery workers).',
  help: `Usage: dmp-gateway serve [--config FILE] [--sandbox]

Runs the gateway until SIGINT/SIGTERM.
  --config FILE   JSON or YAML settings (see README "Configuration"); DMP_GATEWAY_* variables override them.
  --sandbox       test environment: embedded SQLite under ./data, test PKI generated on first run, DMP and
                  INSi simulators in-process, one API token per role in ./data/sandbox-tokens.json.
Exits 1 listing every configuration problem when the configuration is invalid.`,
  options: { config: { type: 'string' }, sandbox: { type: 'boolean' } },
  async run({ values }, io) {
    const config = configFromCli(values, io);
    const gw = await startGateway(config);
    io.out(`dmp-gateway ${config.mode} listening on ${gw.httpUrl} (storage: ${gw.db.engine})`);
    if (gw.sandboxTokensPath) {
      io.out(`Sandbox API tokens (one per role): ${gw.sandboxTokensPath}`);
      io.out(`Try: curl -H "Authorization: Bearer $(node -p "require('${gw.sandboxTokensPath}').compliance")" ${gw.httpUrl}/v1/transmissions`);
    }
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveStop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.out('dmp-gateway stopping…');
    await gw.close();
    return 0;
  },
};
