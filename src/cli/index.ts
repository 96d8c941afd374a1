import type { Io } from './command.js';
import { parseCommandArgs, UsageError } from './command.js';
import { commands } from './commands/index.js';
import type { GatewayError} from '../core/errors/index.js';
import { isGatewayError } from '../core/errors/index.js';

const overview = (): string =>
  [
    'dmp-gateway: feeds the DMP (Mon espace santé) with CR-BIO lab reports tagged with the qualified INS.',
    '',
    'Usage: dmp-gateway <command> [options]      dmp-gateway <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
  ].join('\n');

export const processIo = (): Io => ({
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  // The CLI is the one place allowed to read the environment; it passes it on as data.
  env: process.env,
  cwd: process.cwd(),
});

/** Runs one command and returns its exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`dmp-gateway: unknown command '${name}'.\n\n${overview()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(cmd, rest);
    if (args.values['help'] === true) {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dmp-gateway ${cmd.name}: ${e.message}\n\n${cmd.help}`);
      return 2;
    }
    if (isGatewayError(e)) {
      io.err(formatGatewayError(e));
      return 1;
    }
    io.err(`dmp-gateway ${cmd.name}: unexpected error: ${(e as Error).message}`);
    return 1;
  }
}

export const formatGatewayError = (e: GatewayError): string =>
  [`error ${e.code}: ${e.message}`, ...e.issues.map((i) => `  - ${i.severity} ${i.code}${i.path ? ` at ${i.path}` : ''}: ${i.message}`)].join('\n');
