import { readFileSync } from 'node:fs';
import { GatewayError } from '../core/errors/index.js';
import { loadConfig, type Config } from '../config/config.js';
import type { Io } from './command.js';

/** Reads --config (if any) and the environment into a validated, frozen Config. */
export function configFromCli(values: Record<string, unknown>, io: Io, overrides: { sandbox?: boolean } = {}): Config {
  const path = typeof values['config'] === 'string' ? values['config'] : undefined;
  let file: { name: string; text: string } | undefined;
  if (path) {
    try {
      file = { name: path, text: readFileSync(path, 'utf8') };
    } catch (e) {
      throw new GatewayError('CONFIG_INVALID', `Cannot read the configuration file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}.`, {
        issues: [{ severity: 'error', code: 'CONFIG_INVALID', path, message: 'cannot read the file' }],
      });
    }
  }
  return loadConfig({ env: io.env, ...(file ? { file } : {}), sandbox: overrides.sandbox ?? values['sandbox'] === true });
}
