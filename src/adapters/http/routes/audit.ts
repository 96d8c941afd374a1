import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditRecord } from '../../../core/audit/chain.js';
import { EXPORT_FORMATS, exportChunks, exportContentType, type ExportFormat } from '../../audit/export.js';
import { GatewayError } from '../../../core/errors/index.js';
import { loadCheckpointSigner, loadCheckpointTrust, writeCheckpoint } from '../../audit/checkpoints.js';
import { iterateAudit, searchAudit, type AuditFilter } from '../../audit/search.js';
import { verifyAuditTrail } from '../../audit/verify.js';
import { requireRole, state, type HttpDeps } from '../context.js';
import { parseAuditQuery } from './audit-query.js';

/** The JSON view of a record: details parsed back to an object. */
export const auditView = (r: AuditRecord): Record<string, unknown> => {
  let details: unknown = r.details;
  try {
    details = JSON.parse(r.details) as unknown;
  } catch {
    /* kept as text */
  }
  return { ...r, details };
};

export const observerOf = (deps: Pick<HttpDeps, 'config'>): { observer: string; siteOid?: string } => ({
  observer: deps.config.lab.name ? `dmp-gateway (${deps.config.lab.name})` : 'dmp-gateway',
  ...(deps.config.lab.oid ? { siteOid: deps.config.lab.oid } : {}),
});

const actorOf = (ctx: Context): string => `user:${state(ctx).principal?.tokenId ?? '?'}`;

/** GET /v1/audit, /v1/audit/verify, /v1/audit/export, POST /v1/audit/checkpoints — compliance staff. */
export const auditRoutes = (router: Router, deps: HttpDeps): void => {
  router.get('/v1/audit/verify', requireRole(deps, 'compliance'), async (ctx) => {
    const trust = loadCheckpointTrust(deps.config);
    ctx.body = await verifyAuditTrail(deps.db, trust, deps.clock.now());
  });

  router.post('/v1/audit/checkpoints', requireRole(deps, 'compliance'), async (ctx) => {
    let signer;
    try {
      signer = loadCheckpointSigner(deps.config, deps.clock.now());
    } catch (e) {
      throw new GatewayError('AUDIT_NO_SIGNATURE_CERTIFICATE', 'The structure signature certificate cannot be used to sign a checkpoint.', { cause: e });
    }
    if (!signer) {
      throw new GatewayError('AUDIT_NO_SIGNATURE_CERTIFICATE');
    }
    await deps.audit({ type: 'user.action', actor: actorOf(ctx), outcome: 'success', details: { action: 'audit.checkpoint' } });
    const cp = await writeCheckpoint(deps.db, signer, deps.clock.now());
    ctx.status = 201;
    ctx.body = cp ? { seq: cp.seq, recordHash: cp.recordHash, at: cp.at, certFingerprint: cp.certFingerprint, signature: cp.signature } : {};
  });

  router.get('/v1/audit', requireRole(deps, 'compliance'), async (ctx) => {
    const q = parseAuditQuery(ctx.query, deps.subjectHash);
    const page = await searchAudit(deps.db, q.filter, { limit: q.limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) });
    if (q.filter.subjectHash) {
      await deps.audit({ type: 'user.read', actor: actorOf(ctx), outcome: 'success', subjectHash: q.filter.subjectHash, details: { route: 'GET /v1/audit', count: page.items.length } });
    }
    ctx.body = { items: page.items.map(auditView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });

  router.get('/v1/audit/export', requireRole(deps, 'compliance'), async (ctx) => {
    const format = typeof ctx.query['format'] === 'string' ? ctx.query['format'] : 'jsonl';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new GatewayError('BAD_REQUEST', 'Unknown export format.', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: 'format', message: `expected one of ${EXPORT_FORMATS.join(', ')}` }] });
    }
    const q = parseAuditQuery(ctx.query, deps.subjectHash);
    // An export carries records about patients: the export itself is a read of patient data.
    await deps.audit({ type: 'user.read', actor: actorOf(ctx), outcome: 'success', ...(q.filter.subjectHash ? { subjectHash: q.filter.subjectHash } : {}), details: { route: 'GET /v1/audit/export', format, filter: { ...q.filter, subjectHash: q.filter.subjectHash ? 'set' : undefined } } });
    const f = format as ExportFormat;
    const filter: AuditFilter = q.filter;
    ctx.type = exportContentType[f];
    ctx.attachment(`audit-${deps.clock.now().toISOString().slice(0, 10)}.${f === 'fhir' ? 'json' : f}`);
    ctx.body = Readable.from(exportChunks(iterateAudit(deps.db, filter), f, observerOf(deps)));
  });
};
