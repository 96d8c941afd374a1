import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/dmp-gateway.mjs', import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `pattern`; rejects on exit or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs `dmp-gateway ARGS` as a real child process. */
/** `nodeArgs`: options of node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; nodeArgs?: readonly string[] } = {}): Child {
  // Only what the command needs: no DMP_GATEWAY_* from the developer's shell leaks into a test.
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...(opts.env ?? {}) };
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exit = new Promise<number | null>((ok) => proc.on('exit', (code) => ok(code)));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, ms = 30000) {
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${String(pattern)}; stdout: ${out}; stderr: ${err}`)), ms);
        const check = (): void => {
          const m = out.match(pattern);
          if (m) {
            clearTimeout(timer);
            ok(m);
          }
        };
        proc.stdout?.on('data', check);
        void exit.then((code) => {
          clearTimeout(timer);
          fail(new Error(`exited with ${String(code)} before ${String(pattern)}; stdout: ${out}; stderr: ${err}`));
        });
        check();
      });
    },
    exited: () => exit,
    kill: (signal = 'SIGTERM') => {
      proc.kill(signal);
    },
  };
}
