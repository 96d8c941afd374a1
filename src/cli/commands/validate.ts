/**
 * `dmp-gateway validate FILE.xml [--ans-kit DIR]`: the conformance gate on a CDA file: our own CR-BIO rules,
 * and with the ANS TestContenuCDA kit the CDA XSD and the CI-SIS header and CR-BIO 2024.01 schematrons.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createConformanceGate } from '../../adapters/validation/gate.js';
import { GatewayError } from '../../core/errors/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a CDA file: built-in CR-BIO rules, and with --ans-kit the CDA XSD and ANS schematrons.',
  help: `Usage: dmp-gateway validate FILE.xml [--ans-kit DIR] [--json]

Runs our own CR-BIO 2024.01 rules on FILE.xml. With --ans-kit DIR (the ANS TestContenuCDA folder holding
infrastructure/cda and schematrons/, e.g. ../shared/reference/cda; default: $DMP_GATEWAY_ANS_KIT), also the CDA XSD
(in-process) and the schematron layers (CI-SIS header, CR-BIO 2024.01; Java + Saxon-HE needed).
Prints one line per issue (severity code at XPath: message), then a summary line; --json prints
{ layers, errors, warnings, issues } instead. Exits 1 if there is any error.

Example: dmp-gateway validate report.xml --ans-kit ../shared/reference/cda`,
  options: { 'ans-kit': { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (!file || positionals.length > 1) {
      throw new UsageError('give exactly one FILE.xml');
    }
    let xml: string;
    try {
      xml = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(resolve(io.cwd, file)));
    } catch (e) {
      throw new GatewayError('CDA_FILE_UNREADABLE', `Cannot read ${file} as UTF-8 text: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
    const kitValue = values['ans-kit'];
    const kit = typeof kitValue === 'string' ? kitValue : io.env['DMP_GATEWAY_ANS_KIT'];
    let gate;
    try {
      gate = await createConformanceGate(kit ? { ansKit: resolve(io.cwd, kit) } : {});
    } catch (e) {
      throw new GatewayError('ANS_KIT_UNAVAILABLE', (e as Error).message);
    }
    const issues = await gate.validate(xml);
    const errors = issues.filter((i) => i.severity === 'error').length;
    const warnings = issues.filter((i) => i.severity === 'warning').length;
    if (values['json'] === true) {
      io.out(JSON.stringify({ layers: gate.layers, errors, warnings, issues }, null, 2));
    } else {
      for (const i of issues) {
        io.out(`${i.severity} ${i.code} at ${i.path}: ${i.message}`);
      }
      io.out(`${errors === 0 ? 'valid' : 'invalid'}: ${errors} error(s), ${warnings} warning(s) [${gate.layers.join(', ')}]`);
    }
    return errors > 0 ? 1 : 0;
  },
};
