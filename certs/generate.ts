/** `npm run certs` / `dmp-gateway certs [--dir DIR]`: generate the test PKI (never for production). */
import { ensureTestPki } from './pki.js';

const dirArg = process.argv.indexOf('--dir');
const dir = dirArg > 0 ? (process.argv[dirArg + 1] ?? 'certs/generated') : 'certs/generated';
const pki = ensureTestPki(dir, process.env['DMP_GATEWAY_PKI_PASSPHRASE'] ?? 'sandbox-test-only');
console.log(`test PKI in ${pki.dir}: ${Object.keys(pki.entities).join(', ')}`);
