/**
 * Use case: build the CR-BIO CDA of one report version, with its PDF copy (the SIL's, else one rendered by the
 * gateway). The builder itself is pure (src/core/cda); rendering the PDF is an adapter passed in.
 */
import { buildCrBio, type BuiltDocument, type CdaSettings, type DocumentVersion } from '../core/cda/index.js';
import type { LabReport } from '../core/report/model.js';

/** Renders the PDF copy of a report (src/adapters/pdf renderReportPdf); `at` is the document time. */
export type RenderPdf = (report: LabReport, settings: CdaSettings, at: string) => Promise<Uint8Array>;

/** The laboratory part of the configuration (Config.lab), as the CR-BIO needs it. */
export interface LabConfig {
  readonly name?: string | undefined;
  readonly finess?: string | undefined;
  readonly oid?: string | undefined;
  readonly street?: string | undefined;
  readonly postalCode?: string | undefined;
  readonly city?: string | undefined;
  readonly phone?: string | undefined;
  readonly practiceSetting?: 'AMBULATOIRE' | 'ETABLISSEMENT' | undefined;
  readonly cofrac?: string | undefined;
  readonly softwareName?: string | undefined;
}

/** CdaSettings from the configuration (lab.* settings). Missing name/FINESS/OID are configuration errors upstream. */
export const cdaSettingsFromConfig = (lab: LabConfig): CdaSettings => ({
  lab: {
    name: lab.name ?? '',
    finess: lab.finess ?? '',
    oid: lab.oid ?? '',
    address: { lines: lab.street ? [lab.street] : [], ...(lab.postalCode ? { postalCode: lab.postalCode } : {}), ...(lab.city ? { city: lab.city } : {}) },
    telecom: lab.phone ? [lab.phone] : [],
    practiceSetting: lab.practiceSetting ?? 'AMBULATOIRE',
    ...(lab.cofrac ? { cofrac: lab.cofrac } : {}),
  },
  software: { name: lab.softwareName ?? 'SIL', model: 'dmp-gateway' },
  encounterCode: 'AMB',
});

/** The `build` dependency of the processing use case: PDF copy (when the SIL sent none), then the pure builder. */
export const createDocumentBuilder =
  (settings: CdaSettings, renderPdf: RenderPdf) =>
  async (report: LabReport, version: DocumentVersion): Promise<BuiltDocument> => {
    const pdf = report.pdf ? undefined : await renderPdf(report, settings, version.effectiveTime);
    return buildCrBio(report, version, settings, pdf ? { pdf } : {});
  };
