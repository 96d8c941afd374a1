import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes; tests capture it. */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text (usage, options, examples). */
  readonly help: string;
  readonly options?: ParseArgsConfig['options'];
  readonly allowPositionals?: boolean;
  /** Returns the exit code. */
  run(args: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] }, io: Io): Promise<number>;
}

export class UsageError extends Error {}

export const parseCommandArgs = (cmd: Command, argv: string[]): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } => {
  try {
    const r = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...(cmd.options ?? {}) }, allowPositionals: cmd.allowPositionals ?? false, strict: true });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};
