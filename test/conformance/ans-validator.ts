/**
 * Runs ANS's own CI-SIS rules on CDA files through ../shared/tools/cda-validate/validate-cda (CDA XSD, header
 * schematron, CR-BIO 2024.01 schematron). The tool must be set up (`validate-cda` + its `setup`): when it is
 * missing the calling test fails, it does not skip.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../fixtures/cda/settings.js';

export const VALIDATOR = path.resolve(repoRoot, '..', 'shared', 'tools', 'cda-validate', 'validate-cda');

export interface AnsVerdict {
  readonly file: string;
  readonly xsdErrors: number;
  readonly schematronErrors: number;
  readonly output: string;
}

const runOne = (file: string): Promise<AnsVerdict> =>
  new Promise((resolve) => {
    execFile(VALIDATOR, [file], { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, JAVA_OPTS: process.env['JAVA_OPTS'] ?? '-XX:TieredStopAtLevel=1' } }, (_err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      const m = /xsd_errors=(-?\d+) schematron_errors=(-?\d+)\s*$/.exec(stdout.trimEnd());
      resolve({ file, xsdErrors: m ? Number(m[1]) : -1, schematronErrors: m ? Number(m[2]) : -1, output: out });
    });
  });

/** Validates files, `parallel` at a time (each run starts two JVMs). */
export const validateWithAns = async (files: readonly string[], parallel = 3): Promise<AnsVerdict[]> => {
  if (!existsSync(VALIDATOR)) {
    throw new Error(`ANS validator not found at ${VALIDATOR}: run ../shared/tools/cda-validate/setup`);
  }
  const results: AnsVerdict[] = new Array<AnsVerdict>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      results[i] = await runOne(files[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, files.length) }, worker));
  return results;
};
