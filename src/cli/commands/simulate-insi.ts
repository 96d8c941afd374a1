import { resolve } from 'node:path';
import type { Command, Io } from '../command.js';
import { UsageError } from '../command.js';
import { ensureTestPki } from '../../../certs/pki.js';
import { startInsiSimulator } from '../../../conformance/insi/simulator.js';

const HELP_INSI = `Usage: dmp-gateway simulate insi [--port N] [--data DIR] [--idam ID]

Runs the INSi simulator alone: real TLS with client certificates on 127.0.0.1 (test PKI under DIR/pki,
generated if needed). Refuses a client certificate whose CN is not INSI-AUTO/INSI-MANU (DESIR_560) and an
unknown IDAM (desir_550); answers 00/01/02 from the public INSi test identities and our own tricky ones.
Fault injection: POST /_sim/faults {"delayMs": N} or {"fault": {"subcode","code","reason"}, "count": N};
what it received: GET /_sim/requests. Stops on SIGINT/SIGTERM.`;

/** `simulate insi`: runs until the process is told to stop. */
export const runSimulateInsi = async (values: Record<string, unknown>, io: Io, stop: Promise<void> = waitForSignal()): Promise<number> => {
  const port = typeof values['port'] === 'string' ? Number(values['port']) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError('--port must be a number from 0 to 65535');
  }
  const data = resolve(io.cwd, typeof values['data'] === 'string' ? values['data'] : 'data');
  const passphrase = io.env['DMP_GATEWAY_PKI_PASSPHRASE'] ?? 'sandbox-test-only';
  const pki = ensureTestPki(resolve(data, 'pki'), passphrase);
  const idam = typeof values['idam'] === 'string' ? values['idam'] : (io.env['DMP_GATEWAY_INSI_IDAM'] ?? 'SANDBOX-IDAM-0001');
  const sim = await startInsiSimulator({ cert: pki.entities.insiServer.cert, key: pki.entities.insiServer.key, clientCa: pki.caBundle, knownIdams: [idam], port });
  io.out(JSON.stringify({ simulator: 'insi', url: sim.url, idam, pki: pki.dir, clientP12: pki.entities.insiClient.p12Path, trustBundle: pki.caBundlePath }));
  await stop;
  await sim.close();
  return 0;
};

const waitForSignal = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/**
 * `simulate insi` (issue 4). The DMP simulator (issue 6) plugs in by exporting `runSimulateDmp` from
 * `simulate-dmp.ts`; until then `simulate dmp` says so.
 */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run a national-service simulator on its own (insi; dmp when available), over TLS.',
  help: `${HELP_INSI}\n\nUsage: dmp-gateway simulate dmp [--port N] [--data DIR]`,
  allowPositionals: true,
  options: { port: { type: 'string' }, data: { type: 'string' }, idam: { type: 'string' } },
  async run({ values, positionals }, io) {
    const which = positionals[0];
    if (which === 'insi') {
      return runSimulateInsi(values, io);
    }
    if (which === 'dmp') {
      const spec: string = './simulate-dmp.js';
      const mod = (await (import(spec) as Promise<unknown>).catch(() => undefined)) as { runSimulateDmp?: (v: Record<string, unknown>, io: Io) => Promise<number> } | undefined;
      if (mod?.runSimulateDmp) {
        return mod.runSimulateDmp(values, io);
      }
      io.err('simulate dmp is not available in this build.');
      return 1;
    }
    throw new UsageError('simulate needs dmp or insi');
  },
};
