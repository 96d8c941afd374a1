/** `dmp-gateway convert` and `dmp-gateway validate`, through the CLI entry point with captured output. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/index.js';
import type { Io } from '../../src/cli/command.js';
import { goldenDir, repoRoot } from '../fixtures/cda/settings.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-cda-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');

const run = async (args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: repoRoot };
  const code = await main(args, io);
  return { code, out, err };
};

describe('dmp-gateway convert / validate', () => {
  it('convert an ORU to a CDA with given ids and time: same bytes twice, valid for our rules', async () => {
    const out = path.join(dir, 'a.xml');
    const args = ['convert', 'test/fixtures/hl7v2/06-version-final.hl7', '--sandbox', '--out', out, '--document-id', '1.2.250.1.999.1.1.77.2', '--set-id', '1.2.250.1.999.1.1.77', '--version', '2', '--replaces', '1.2.250.1.999.1.1.77.1', '--time', '2026-03-10T15:00:00+01:00', '--ans-kit', ''];
    const first = await run(args);
    assert.equal(first.code, 0, first.err.join('\n'));
    const a = readFileSync(out, 'utf8');
    assert.equal((await run(args)).code, 0);
    assert.equal(readFileSync(out, 'utf8'), a);
    assert.match(a, /<versionNumber value="2"\/>/);
    assert.match(a, /<relatedDocument typeCode="RPLC">\s*<parentDocument>\s*<id root="1.2.250.1.999.1.1.77.1"\/>/);
    assert.ok(first.err.some((l) => l === '1 document(s), 0 error(s)'));
  });

  it('convert a LabReport JSON to FHIR on stdout', async () => {
    const r = await run(['convert', 'test/fixtures/reports/tsh.json', '--sandbox', '--to', 'fhir', '--ans-kit', '']);
    assert.equal(r.code, 0, r.err.join('\n'));
    const bundle = JSON.parse(r.out.join('\n')) as { resourceType: string; entry: { resource: { resourceType: string } }[] };
    assert.equal(bundle.resourceType, 'Bundle');
    assert.ok(bundle.entry.some((e) => e.resource.resourceType === 'DiagnosticReport'));
  });

  it('convert --to mhd wraps the CDA in an ITI-65 (PDSm) transaction Bundle', async () => {
    const r = await run(['convert', 'test/fixtures/hl7v2/02-haematology-cbc.hl7', '--sandbox', '--to', 'mhd', '--ans-kit', '']);
    assert.equal(r.code, 0, r.err.join('\n'));
    const bundle = JSON.parse(r.out.join('\n')) as { type: string; entry: { resource: { resourceType: string; data?: string; contentType?: string } }[] };
    assert.equal(bundle.type, 'transaction');
    const binary = bundle.entry.find((e) => e.resource.resourceType === 'Binary')!.resource;
    assert.match(Buffer.from(binary.data ?? '', 'base64').toString('utf8'), /<code code="11502-2" displayName="CR d&apos;examens biologiques"/);
  });

  it('convert refuses an input the intake cannot read, naming the problem', async () => {
    const bad = path.join(dir, 'bad.hl7');
    writeFileSync(bad, 'this is not HL7');
    const r = await run(['convert', bad, '--sandbox', '--ans-kit', '']);
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /error HL7_/);
  });

  it('validate: a golden document is valid for our rules; a broken one lists its issues with XPath and exits 1', async () => {
    const ok = await run(['validate', path.join(goldenDir, 'crp_local.xml')]);
    assert.equal(ok.code, 0);
    assert.equal(ok.out.at(-1), 'valid: 0 error(s), 0 warning(s) [own-rules]');
    const bad = path.join(dir, 'broken.xml');
    writeFileSync(bad, readFileSync(path.join(goldenDir, 'crp_local.xml'), 'utf8').replace('<title>Compte rendu d&apos;examens biologiques</title>', '<title>x</title>'));
    const r = await run(['validate', bad, '--json']);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.out.join('\n')) as { errors: number; issues: { code: string; path: string }[] };
    assert.equal(json.errors, 1);
    assert.deepEqual(json.issues.map((i) => [i.code, i.path]), [['CDA_TITLE', '/ClinicalDocument[1]/title[1]']]);
  });

  it('validate --ans-kit runs the XSD and the ANS schematrons', async () => {
    const r = await run(['validate', path.join(goldenDir, 'glucose_two_units.xml'), '--ans-kit', ANS_KIT]);
    assert.equal(r.code, 0, r.out.join('\n'));
    assert.equal(r.out.at(-1), 'valid: 0 error(s), 0 warning(s) [own-rules, xsd, header-structurationMinimale, CR-BIO-2024.01]');
    const missing = await run(['validate', path.join(goldenDir, 'glucose_two_units.xml'), '--ans-kit', path.join(dir, 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /ANS_KIT_UNAVAILABLE/);
  });
});
