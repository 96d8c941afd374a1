import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { ensureTestPki } from '../../../certs/pki.js';

export const certsCommand: Command = {
  name: 'certs',
  summary: 'Generate the TEST PKI (CA, structure, INSi and simulator certificates). Never for production.',
  help: `Usage: dmp-gateway certs [--dir DIR]

Generates a test PKI shaped like IGC-Santé into DIR (default ./data/pki), as PEM and password-protected
PKCS#12 (passphrase from DMP_GATEWAY_PKI_PASSPHRASE, default sandbox-test-only). An existing complete PKI
valid for 30 more days is kept.`,
  options: { dir: { type: 'string' } },
  run({ values }, io) {
    const dir = resolve(io.cwd, typeof values['dir'] === 'string' ? values['dir'] : 'data/pki');
    const pki = ensureTestPki(dir, io.env['DMP_GATEWAY_PKI_PASSPHRASE'] ?? 'sandbox-test-only');
    io.out(`Test PKI in ${pki.dir}:`);
    for (const [name, e] of Object.entries(pki.entities)) {
      io.out(`  ${name.padEnd(16)} ${e.certPath}  SHA-256 ${e.fingerprint256}`);
    }
    return Promise.resolve(0);
  },
};
