/**
 * `dmp-gateway simulate dmp [--port N] [--data DIR]` (issue 6): the strict DMP simulator alone, over TLS with
 * client certificates from the test PKI (under DIR/pki, generated if needed), persistent under DIR/dmp.
 * The CDA kit (XSD, value sets) is found at DMP_GATEWAY_ANS_KIT, or ../shared/reference/cda (beside the working
 * folder or beside the repository).
 * Registered by `simulate` in simulate-insi.ts, which imports this module and calls runSimulateDmp.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../command.js';
import { UsageError } from '../command.js';
import { ensureTestPki } from '../../../certs/pki.js';
import { startDmpSimulator } from '../../../conformance/dmp/index.js';

export const HELP_DMP = `Usage: dmp-gateway simulate dmp [--port N] [--data DIR]

Runs the strict DMP simulator alone: XDS.b ITI-41 at POST …/repository, ITI-18 at POST …/registry and MHD
ITI-65 at POST …/fhir, over TLS that requires a client certificate from the test CA (test PKI under DIR/pki).
It verifies the VIHF and XAdES signatures, the metadata and value sets, hash and size, the CDA against the XSD
(kit at DMP_GATEWAY_ANS_KIT), and the patient INS; keeps what it accepted under DIR/dmp.
What it holds: GET /_sim/documents; what it was sent: GET /_sim/requests (route and time of each ITI request). Faults for the next N answers: POST /_sim/faults
{"kind":"http503"|"timeout"|"lost_answer"|"xds","errorCode":"XDSRegistryBusy","count":N}. Patients without an open DMP
(XDSUnknownPatientId): POST /_sim/patients {"withoutDmp":["INS…"]}. All /_sim calls need the client certificate too.
Stops on SIGINT/SIGTERM.`;

const waitForSignal = (): Promise<void> =>
  new Promise((ok) => {
    process.once('SIGINT', () => ok());
    process.once('SIGTERM', () => ok());
  });

export const runSimulateDmp = async (values: Record<string, unknown>, io: Io, stop: Promise<void> = waitForSignal()): Promise<number> => {
  const port = typeof values['port'] === 'string' ? Number(values['port']) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError('--port must be a number from 0 to 65535');
  }
  const data = resolve(io.cwd, typeof values['data'] === 'string' ? values['data'] : 'data');
  // The kit: DMP_GATEWAY_ANS_KIT, else ../shared/reference/cda beside the working folder or beside the repository.
  const candidates = io.env['DMP_GATEWAY_ANS_KIT']
    ? [resolve(io.cwd, io.env['DMP_GATEWAY_ANS_KIT'])]
    : [resolve(io.cwd, '..', 'shared', 'reference', 'cda'), fileURLToPath(new URL('../../../../shared/reference/cda', import.meta.url))];
  const ansKitDir = candidates.find((d) => existsSync(resolve(d, 'infrastructure', 'cda', 'CDA_extended.xsd')));
  if (!ansKitDir) {
    io.err(`simulate dmp: the ANS CDA kit is not at ${candidates.join(' or ')} (set DMP_GATEWAY_ANS_KIT).`);
    return 1;
  }
  const pki = ensureTestPki(resolve(data, 'pki'), io.env['DMP_GATEWAY_PKI_PASSPHRASE'] ?? 'sandbox-test-only');
  const sim = await startDmpSimulator({ port, dataDir: resolve(data, 'dmp'), pki, ansKitDir });
  io.out(JSON.stringify({
    simulator: 'dmp', url: sim.url, endpoint: `${sim.url}/si-dmp-server/v2/services`, fhir: `${sim.url}/fhir`, data: resolve(data, 'dmp'), pki: pki.dir,
    clientP12: pki.entities.structureAuth.p12Path, trustBundle: pki.caBundlePath,
  }));
  await stop;
  await sim.close();
  return 0;
};
