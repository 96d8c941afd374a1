import type { Command } from '../command.js';
import { serveCommand } from './serve.js';
import { certsCommand } from './certs.js';
import { configCommand } from './config.js';
import { sendCommand } from './send.js';
import { replayCommand } from './replay.js';
import { insCommand } from './ins.js';
import { simulateCommand } from './simulate-insi.js';
import { auditCommand } from './audit.js';
import { tokenCommand } from './token.js';
import { convertCommand } from './convert.js';
import { validateCommand } from './validate.js';

/** Every `dmp-gateway` command. An area adds its command module here. */
export const commands: readonly Command[] = [serveCommand, certsCommand, configCommand, sendCommand, auditCommand, tokenCommand, insCommand, simulateCommand, convertCommand, validateCommand, replayCommand];
