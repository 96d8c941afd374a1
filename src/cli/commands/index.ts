import type { Command } from '../command.js';
import { serveCommand } from './serve.js';
import { certsCommand } from './certs.js';
import { configCommand } from './config.js';

/** Every `dmp-gateway` command. An area adds its command module here. */
export const commands: readonly Command[] = [serveCommand, certsCommand, configCommand];
