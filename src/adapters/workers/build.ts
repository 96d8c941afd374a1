/** Building one document: the SIL's PDF when it sent one, otherwise one rendered by the gateway, then the CDA. */
import { renderReportPdf } from '../pdf/render.js';
import { buildCrBio, type BuiltDocument, type CdaSettings, type DocumentVersion } from '../../core/cda/index.js';
import type { LabReport } from '../../core/report/model.js';

export const buildDocument = async (report: LabReport, version: DocumentVersion, settings: CdaSettings): Promise<BuiltDocument> => {
  const pdf = report.pdf ? undefined : await renderReportPdf(report, settings, version.effectiveTime);
  return buildCrBio(report, version, settings, pdf ? { pdf } : {});
};
