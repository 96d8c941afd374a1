/**
 * `dmp-gateway convert FILE [--to cda|fhir] [--out FILE]`: a SIL report (HL7 v2 ORU^R01, FHIR R4 Bundle, or a
 * LabReport JSON) to a CR-BIO 2024.01 CDA (or its FHIR rendering), printing the issue list. Exits 1 when the
 * input cannot give a valid document (intake refusal, builder error, conformance gate error).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFhirBundle } from '../../adapters/fhir-input/parse.js';
import { parseHl7v2Batch } from '../../adapters/hl7v2/parse.js';
import { renderReportPdf } from '../../adapters/pdf/render.js';
import { createConformanceGate } from '../../adapters/validation/gate.js';
import { cdaSettingsFromConfig, createDocumentBuilder } from '../../app/build-document.js';
import type { DocumentVersion } from '../../core/cda/index.js';
import { GatewayError } from '../../core/errors/index.js';
import { renderFhirReport } from '../../core/fhir/index.js';
import { cdaToMhdBundle, decideDelivery, parseVisibilityRules, type XdsSettings } from '../../core/xds/index.js';
import { uuidToOid } from '../../core/report/ids.js';
import type { LabReport } from '../../core/report/model.js';
import type { Issue } from '../../core/validation/issue.js';
import type { Command, Io } from '../command.js';
import { UsageError } from '../command.js';
import { configFromCli } from '../load-config.js';

/** Reads the input as LabReports: a LabReport JSON, a FHIR Bundle, or HL7 v2 (one or several messages). */
export const readReports = (bytes: Buffer, labOid: string | undefined): { reports: LabReport[]; issues: Issue[] } => {
  const head = bytes.subarray(0, 64).toString('utf8').trimStart();
  if (head.startsWith('{')) {
    const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    if (Array.isArray(json['batteries']) && typeof json['patient'] === 'object') {
      return { reports: [json as unknown as LabReport], issues: [] };
    }
    const parsed = parseFhirBundle(bytes);
    return { reports: [parsed.report], issues: [...parsed.issues] };
  }
  const reports: LabReport[] = [];
  const issues: Issue[] = [];
  for (const item of parseHl7v2Batch(bytes, labOid ? { labOid } : {})) {
    if (!item.ok) {
      throw item.error;
    }
    reports.push(item.report);
    issues.push(...item.issues);
  }
  return { reports, issues };
};

const printIssues = (io: Io, issues: readonly Issue[]): void => {
  for (const i of issues) {
    io.err(`${i.severity} ${i.code} at ${i.path}: ${i.message}`);
  }
};

interface DmpConfig {
  readonly sourceId?: string | undefined;
  readonly contentTypeCode: string;
  readonly patientIdOid?: string | undefined;
  readonly visibilityRules: readonly string[];
}

/** The ITI-65 (PDSm) bundle of a built CDA, with the dmp.* settings (the MHD route's own builder, src/core/xds). */
const toMhd = (xml: string, report: LabReport, dmp: DmpConfig, labOid: string | undefined, time: string, replaces: string | undefined): { bundle?: unknown; issues: Issue[] } => {
  const [code = '', codingScheme = '', display = code] = dmp.contentTypeCode.split('^');
  const settings: XdsSettings = { sourceId: dmp.sourceId ?? labOid ?? '', contentTypeCode: { code, codingScheme, display }, ...(dmp.patientIdOid ? { patientIdOid: dmp.patientIdOid } : {}) };
  const { rules, issues } = parseVisibilityRules(dmp.visibilityRules);
  const decision = decideDelivery(report, rules);
  if (decision.kind !== 'send') {
    return { issues: [...issues, { severity: 'error', code: 'DMP_PATIENT_OPPOSED', path: '$', message: decision.reason }] };
  }
  const built = cdaToMhdBundle({
    xml,
    settings,
    visibility: decision.visibility,
    now: new Date(time),
    ids: { list: randomUUID(), documentReference: randomUUID(), binary: randomUUID(), submissionSet: randomUUID() },
    ...(replaces ? { replacesUniqueId: replaces } : {}),
  });
  return { ...(built.bundle ? { bundle: built.bundle } : {}), issues: [...issues, ...built.issues] };
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a SIL report (HL7 v2 ORU, FHIR JSON or LabReport JSON) to a CR-BIO CDA (or MHD bundle, or FHIR).',
  help: `Usage: dmp-gateway convert FILE [--to cda|mhd|fhir] [--out FILE] [--ans-kit DIR] [--sandbox] [--config FILE]
       [--document-id OID] [--set-id OID] [--version N] [--replaces OID] [--time ISO-8601]

Reads FILE (HL7 v2 ORU^R01 or a batch of them, a FHIR R4 Bundle, or a LabReport JSON), builds the CR-BIO 2024.01
CDA with its PDF copy (the SIL's, or one rendered by the gateway), runs the conformance gate (our rules; with
--ans-kit or the ansKit setting, the CDA XSD and the ANS schematrons too) and writes the document to --out or
stdout (--ans-kit '' skips the kit). Issues go to stderr, one per line: severity code at XPath: message. Exits 1
if any issue is an error.
Ids and time default to new ones; give --document-id/--set-id/--version/--replaces/--time to build a given version
(same input, ids and time give the same bytes). --to mhd writes the ITI-65 (PDSm) transaction Bundle carrying\nthe CDA (dmp.* settings); --to fhir writes the FHIR rendering of the report (a collection Bundle) instead.
The laboratory comes from the configuration (lab.* settings); --sandbox uses the sandbox defaults.

Example: dmp-gateway convert test/fixtures/hl7v2/01-biochemistry-final.hl7 --sandbox --out report.xml`,
  options: {
    to: { type: 'string' },
    out: { type: 'string' },
    'ans-kit': { type: 'string' },
    sandbox: { type: 'boolean' },
    config: { type: 'string' },
    'document-id': { type: 'string' },
    'set-id': { type: 'string' },
    version: { type: 'string' },
    replaces: { type: 'string' },
    time: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (!file || positionals.length > 1) {
      throw new UsageError('give exactly one FILE');
    }
    const to = str(values['to']) ?? 'cda';
    if (to !== 'cda' && to !== 'fhir' && to !== 'mhd') {
      throw new UsageError('--to must be cda, mhd or fhir');
    }
    const config = configFromCli(values, io);
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(io.cwd, file));
    } catch (e) {
      throw new GatewayError('BAD_REQUEST', `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
    const { reports, issues: intakeIssues } = readReports(bytes, config.lab.oid);
    printIssues(io, intakeIssues);
    const settings = cdaSettingsFromConfig(config.lab);
    const time = str(values['time']) ?? new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const versionNumber = Number(str(values['version']) ?? '1');
    if (!Number.isInteger(versionNumber) || versionNumber < 1) {
      throw new UsageError('--version must be a positive integer');
    }
    const outputs: string[] = [];
    let errors = 0;
    if (to === 'fhir') {
      for (const r of reports) {
        const rendered = renderFhirReport(r, { labOid: settings.lab.oid, labName: settings.lab.name, finess: settings.lab.finess, bundleId: randomUUID(), at: time });
        outputs.push(`${JSON.stringify(rendered.bundle, null, 2)}\n`);
        printIssues(io, rendered.issues);
        errors += rendered.issues.filter((i) => i.severity === 'error').length;
      }
    } else {
      const ansKit = str(values['ans-kit']) ?? config.ansKit;
      let gate;
      try {
        gate = await createConformanceGate(ansKit ? { ansKit: resolve(io.cwd, ansKit) } : {});
      } catch (e) {
        throw new GatewayError('ANS_KIT_UNAVAILABLE', (e as Error).message);
      }
      const build = createDocumentBuilder(settings, renderReportPdf);
      for (const [i, r] of reports.entries()) {
        const version: DocumentVersion = {
          documentId: (i === 0 ? str(values['document-id']) : undefined) ?? uuidToOid(randomUUID()),
          setId: (i === 0 ? str(values['set-id']) : undefined) ?? uuidToOid(randomUUID()),
          versionNumber,
          ...(str(values['replaces']) ? { replacesDocumentId: str(values['replaces']) } : {}),
          effectiveTime: time,
        };
        const built = await build(r, version);
        const issues = [...built.issues, ...(await gate.validate(built.xml))];
        printIssues(io, issues);
        errors += issues.filter((x) => x.severity === 'error').length;
        if (to === 'mhd') {
          const mhd = toMhd(built.xml, r, config.dmp, config.lab.oid, time, version.replacesDocumentId);
          printIssues(io, mhd.issues);
          errors += mhd.issues.filter((x) => x.severity === 'error').length;
          outputs.push(`${JSON.stringify(mhd.bundle ?? null, null, 2)}\n`);
        } else {
          outputs.push(built.xml);
        }
      }
      io.err(`checked with: ${gate.layers.join(', ')}`);
    }
    const out = str(values['out']);
    if (out) {
      outputs.forEach((o, i) => writeFileSync(resolve(io.cwd, outputs.length === 1 ? out : out.replace(/(\.[a-z]+)?$/i, `-${i + 1}$1`)), o));
    } else {
      outputs.forEach((o) => io.out(o.trimEnd()));
    }
    io.err(`${outputs.length} document(s), ${errors} error(s)`);
    return errors > 0 ? 1 : 0;
  },
};
