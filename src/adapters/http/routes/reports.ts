/**
 * POST /v1/reports (DESIGN.md "Interfaces"): a SIL submits one HL7 v2 ORU^R01 (`application/hl7-v2`,
 * `x-application/hl7-v2+er7`) or one FHIR R4 Bundle (`application/fhir+json`). 202 {id, status} once stored;
 * the same sender + message id again → 200 with the same id. Refusals are problem+json with issues.
 */
import type Router from '@koa/router';
import { parseFhirBundle } from '../../fhir-input/parse.js';
import { parseHl7v2 } from '../../hl7v2/parse.js';
import { createIntake, type Intake, type IntakeFormat } from '../../../app/intake.js';
import { GatewayError } from '../../../core/errors/index.js';
import { mediaType, readBody } from '../body.js';
import { requireRole, state, type HttpDeps } from '../context.js';

const FORMATS: Readonly<Record<string, IntakeFormat>> = {
  'application/hl7-v2': 'hl7v2',
  'x-application/hl7-v2+er7': 'hl7v2',
  'application/x-hl7': 'hl7v2',
  'application/fhir+json': 'fhir',
  'application/json': 'fhir',
};

/** The intake use case over the HTTP dependencies (also used by the MLLP listener in main.ts). */
export const intakeFor = (deps: Pick<HttpDeps, 'transmissions' | 'ids' | 'subjectHash' | 'audit' | 'config' | 'metrics' | 'workArrived'>): Intake => {
  const limit = deps.config.http.bodyLimitBytes;
  const labOid = deps.config.lab.oid;
  const inner = createIntake({
    store: deps.transmissions,
    ids: deps.ids,
    subjectHash: deps.subjectHash,
    parsers: {
      hl7v2: (raw) => parseHl7v2(raw, { maxBytes: Math.max(limit, deps.config.mllp.maxMessageBytes), ...(labOid !== undefined ? { labOid } : {}) }),
      fhir: (raw) => parseFhirBundle(raw, { maxBytes: limit }),
    },
    auditRejection: (e) => deps.audit({ type: 'report.rejected', actor: e.actor, outcome: 'failure', details: e.details }),
  });
  // dmp_gateway_reports_received_total{format, outcome}: accepted, duplicate or rejected, over HTTP and MLLP alike.
  return {
    async receive(req) {
      try {
        const r = await inner.receive(req);
        deps.metrics.reportsReceived.inc({ format: req.format, outcome: r.duplicate ? 'duplicate' : 'accepted' });
        if (!r.duplicate) {
          deps.workArrived?.();
        }
        return r;
      } catch (e) {
        deps.metrics.reportsReceived.inc({ format: req.format, outcome: 'rejected' });
        throw e;
      }
    },
  };
};

export const reportRoutes = (router: Router, deps: HttpDeps): void => {
  const intake = intakeFor(deps);
  router.post('/v1/reports', requireRole(deps, 'sil'), async (ctx) => {
    const type = mediaType(ctx);
    const format = FORMATS[type];
    if (format === undefined) {
      throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type || '(none)'}" is not accepted; send application/hl7-v2, x-application/hl7-v2+er7 or application/fhir+json.`);
    }
    const raw = await readBody(ctx, deps.config.http.bodyLimitBytes);
    const principal = state(ctx).principal;
    const r = await intake.receive({ raw, format, contentType: type, channel: 'http', ...(principal ? { actor: `user:${principal.tokenId}` } : {}) });
    if (r.duplicate) {
      state(ctx).log.info({ transmissionId: r.transmissionId }, 'report already received (same sender and message id)');
    }
    ctx.status = r.duplicate ? 200 : 202;
    ctx.set('Location', `/v1/transmissions/${r.transmissionId}`);
    ctx.body = { id: r.transmissionId, status: r.status, duplicate: r.duplicate, messageId: r.messageId, issues: r.issues };
  });
};
