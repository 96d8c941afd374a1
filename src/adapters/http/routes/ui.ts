/**
 * The dashboard at /ui/ (server-rendered, French): sign-in with an API token (cookie session), transmissions with
 * filters and a detail page (timeline, DMP answer, evidence pack), identity holds (SIL traits vs INS traits,
 * reasons, release / reject through the identity-holds API), audit verification, queue and certificate
 * indicators. Every page showing patient data is audited as a user.read.
 */
import { join } from 'node:path';
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { GatewayError } from '../../../core/errors/index.js';
import { isTransmissionState } from '../../../core/policy/states.js';
import type { Role } from '../../storage/tokens.js';
import { loadCheckpointTrust, p12Certificate, signaturePathOf } from '../../audit/checkpoints.js';
import { iterateAudit, searchAudit } from '../../audit/search.js';
import { verifyAuditTrail, type AuditVerification } from '../../audit/verify.js';
import { buildEvidencePack } from '../../audit/evidence.js';
import { EXPORT_FORMATS, exportChunks, exportContentType, type ExportFormat } from '../../audit/export.js';
import { HoldsClient } from '../../ui/holds.js';
import { SESSION_COOKIE, UiSessions, type UiSession } from '../../ui/sessions.js';
import { readBody } from '../body.js';
import { state, type HttpDeps } from '../context.js';
import { auditPage, dashboardPage, forbiddenPage, holdPage, holdsPage, loginPage, transmissionPage, transmissionsPage, type CertificateIndicator } from './ui-pages.js';
import { observerOf } from './audit.js';
import { Readable } from 'node:stream';
import type { AuditRecord } from '../../../core/audit/chain.js';
import { ROLE_LABELS } from '../../ui/html.js';

const html = (ctx: Context, body: string, status = 200): void => {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  ctx.body = body;
};

const form = async (ctx: Context): Promise<URLSearchParams> => new URLSearchParams((await readBody(ctx, 64 * 1024)).toString('utf8'));

interface UiState {
  session: UiSession;
}
const ui = (ctx: Context): UiState => ctx.state;
const actor = (ctx: Context): string => `user:${ui(ctx).session.tokenId}`;
const viewer = (ctx: Context) => ({ role: ui(ctx).session.role, label: ui(ctx).session.label, csrf: ui(ctx).session.csrf });

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export const uiRoutes = (router: Router, deps: HttpDeps): void => {
  if (!deps.config.ui.enabled) {
    return;
  }
  const sessions = new UiSessions(deps.db);
  // The dashboard's verification is reused for a minute (a full walk of a long trail is not free); the audit
  // page and GET /v1/audit/verify always verify afresh.
  let lastVerification: { at: number; v: AuditVerification } | undefined;
  const recentVerification = async (): Promise<AuditVerification> => {
    const now = deps.clock.now().getTime();
    if (!lastVerification || now - lastVerification.at > 60_000 || now < lastVerification.at) {
      lastVerification = { at: now, v: await verifyAuditTrail(deps.db, loadCheckpointTrust(deps.config), deps.clock.now()) };
    }
    return lastVerification.v;
  };

  /** A signed-in user with one of `roles` (admin always). No session: to the sign-in page. */
  const session =
    (...roles: Role[]) =>
    async (ctx: Context, next: Next): Promise<void> => {
      state(ctx).routeName = '/ui';
      const s = await sessions.get(ctx.cookies.get(SESSION_COOKIE), deps.clock.now());
      if (!s) {
        if (ctx.method === 'GET') {
          ctx.redirect('/ui/login');
          return;
        }
        await deps.audit({ type: 'auth.denied', actor: 'anonymous', outcome: 'failure', details: { method: ctx.method, route: ctx.path.replace(/[0-9a-f-]{36}/gi, ':id'), reason: 'no dashboard session' } });
        throw new GatewayError('UNAUTHENTICATED', 'Sign in to the dashboard first.');
      }
      (ctx.state as UiState).session = s;
      if (s.role !== 'admin' && !roles.includes(s.role)) {
        await deps.audit({ type: 'auth.denied', actor: `user:${s.tokenId}`, outcome: 'failure', details: { method: ctx.method, route: ctx.path.replace(/[0-9a-f-]{36}/gi, ':id'), role: s.role, required: roles } });
        html(ctx, forbiddenPage(viewer(ctx), roles.map((r) => ROLE_LABELS[r] ?? r).join(' ou ')), 403);
        return;
      }
      if (ctx.method === 'POST') {
        const body = await form(ctx);
        if (body.get('_csrf') !== s.csrf) {
          throw new GatewayError('UI_CSRF_INVALID');
        }
        (ctx.state as { form?: URLSearchParams }).form = body;
      }
      await next();
    };
  const posted = (ctx: Context): URLSearchParams => (ctx.state as { form?: URLSearchParams }).form ?? new URLSearchParams();

  const holdsFor = (ctx: Context): HoldsClient => {
    const sock = ctx.req.socket;
    const host = sock.localAddress?.includes(':') ? `[${sock.localAddress}]` : (sock.localAddress ?? '127.0.0.1');
    return new HoldsClient(`http://${host}:${sock.localPort ?? 0}`, ui(ctx).session.token, { transmissions: deps.transmissions, db: deps.db });
  };

  router.get('/ui/login', (ctx) => {
    state(ctx).routeName = '/ui';
    html(ctx, loginPage());
  });

  router.post('/ui/login', async (ctx) => {
    state(ctx).routeName = '/ui';
    const token = (await form(ctx)).get('token')?.trim() ?? '';
    const principal = token ? await deps.tokens.verify(token) : undefined;
    if (!principal || principal.role === 'sil') {
      await deps.audit({ type: 'auth.denied', actor: principal ? `user:${principal.tokenId}` : 'anonymous', outcome: 'failure', details: { method: 'POST', route: '/ui/login', reason: principal ? 'role sil cannot use the dashboard' : 'invalid token' } });
      html(ctx, loginPage(principal ? "Ce jeton (rôle SIL) ne donne pas accès au tableau de bord." : 'Jeton inconnu ou révoqué.'), principal ? 403 : 401);
      return;
    }
    const { id } = await sessions.create(principal, token, deps.clock.now());
    await deps.audit({ type: 'user.action', actor: `user:${principal.tokenId}`, outcome: 'success', details: { action: 'ui.login', role: principal.role } });
    ctx.cookies.set(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/ui', secure: ctx.secure, overwrite: true });
    ctx.redirect('/ui/');
  });

  router.post('/ui/logout', session('compliance', 'identity'), async (ctx) => {
    await sessions.destroy(ctx.cookies.get(SESSION_COOKIE));
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/ui', expires: new Date(0) });
    ctx.redirect('/ui/login');
  });

  router.get('/ui/', session('compliance', 'identity'), async (ctx) => {
    const s = ui(ctx).session;
    const counts = await deps.transmissions.countByStatus();
    const verification = s.role === 'identity' ? undefined : await recentVerification();
    const certs: CertificateIndicator[] = [
      ['Signature de la structure (cachet)', signaturePathOf(deps.config)],
      ['Authentification de la structure (TLS)', deps.config.dmp.authP12 ?? join(deps.config.pki.dir, 'structureAuth.p12')],
      ['Client INSi (INSI-AUTO)', deps.config.insi.clientP12 ?? join(deps.config.pki.dir, 'insiClient.p12')],
      ...(deps.config.http.tlsP12 ? [['Serveur HTTPS de la passerelle', deps.config.http.tlsP12]] : []),
    ].map(([name, path]) => {
      try {
        const c = p12Certificate(path ?? '', deps.config.pki.passphrase ?? '');
        return c ? { name: name ?? '', notAfter: c.notAfter, fingerprint: c.fingerprint256 } : { name: name ?? '', problem: 'absent' };
      } catch {
        return { name: name ?? '', problem: 'illisible (phrase de passe ?)' };
      }
    });
    html(ctx, dashboardPage(viewer(ctx), counts, verification, certs, deps.clock.now()));
  });

  router.get('/ui/transmissions', session('compliance', 'identity'), async (ctx) => {
    const q = ctx.query;
    const one = (k: string): string => (typeof q[k] === 'string' ? q[k] : '');
    const filter: Record<string, string> = {};
    for (const k of ['status', 'ins', 'since', 'until']) {
      if (one(k)) {
        filter[k] = one(k);
      }
    }
    const status = one('status');
    const ins = one('ins').trim();
    const page = await deps.transmissions.list({
      ...(isTransmissionState(status) ? { status } : {}),
      ...(ins ? { insHash: deps.subjectHash(ins) } : {}),
      ...(ISO_DAY.test(one('since')) ? { since: `${one('since')}T00:00:00.000Z` } : {}),
      ...(ISO_DAY.test(one('until')) ? { until: new Date(Date.parse(`${one('until')}T00:00:00.000Z`) + 86400000).toISOString() } : {}),
      ...(one('cursor') ? { cursor: one('cursor') } : {}),
      limit: 50,
    });
    if (ins) {
      await deps.audit({ type: 'user.read', actor: actor(ctx), outcome: 'success', subjectHash: deps.subjectHash(ins), details: { route: 'GET /ui/transmissions', count: page.items.length } });
    }
    html(ctx, transmissionsPage(viewer(ctx), page.items, filter, page.nextCursor));
  });

  router.get('/ui/transmissions/:id', session('compliance', 'identity'), async (ctx) => {
    const t = await deps.transmissions.get(ctx.params['id'] ?? '');
    if (!t) {
      throw new GatewayError('NOT_FOUND', 'No transmission with this id.');
    }
    await deps.audit({ type: 'user.read', actor: actor(ctx), outcome: 'success', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), details: { route: 'GET /ui/transmissions/:id' } });
    const timeline: AuditRecord[] = [];
    for await (const r of iterateAudit(deps.db, { transmissionId: t.id })) {
      timeline.push(r);
    }
    html(ctx, transmissionPage(viewer(ctx), t, timeline));
  });

  router.get('/ui/transmissions/:id/evidence', session('compliance'), async (ctx) => {
    const t = await deps.transmissions.get(ctx.params['id'] ?? '');
    if (!t) {
      throw new GatewayError('NOT_FOUND', 'No transmission with this id.');
    }
    await deps.audit({ type: 'user.read', actor: actor(ctx), outcome: 'success', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), details: { route: 'GET /ui/transmissions/:id/evidence' } });
    ctx.type = 'application/zip';
    ctx.attachment(`evidence-${t.id}.zip`);
    ctx.body = await buildEvidencePack(deps.db, t, { now: deps.clock.now(), requestedBy: actor(ctx), trust: loadCheckpointTrust(deps.config), observer: observerOf(deps) });
  });

  router.get('/ui/holds', session('identity'), async (ctx) => {
    const holds = await holdsFor(ctx).list();
    const done = typeof ctx.query['done'] === 'string' ? ctx.query['done'] : '';
    html(ctx, holdsPage(viewer(ctx), holds, done === 'release' ? 'Mise en attente levée : le compte rendu repart vers le DMP.' : done === 'reject' ? 'Mise en attente rejetée.' : undefined));
  });

  router.get('/ui/holds/:id', session('identity'), async (ctx) => {
    const hold = await holdsFor(ctx).get(ctx.params['id'] ?? '');
    if (!hold) {
      throw new GatewayError('NOT_FOUND', 'No identity hold with this id.');
    }
    const t = await deps.transmissions.get(hold.transmissionId);
    await deps.audit({ type: 'user.read', actor: actor(ctx), outcome: 'success', transmissionId: hold.transmissionId, ...(t?.insHash ? { subjectHash: t.insHash } : {}), details: { route: 'GET /ui/holds/:id' } });
    html(ctx, holdPage(viewer(ctx), hold));
  });

  router.post('/ui/holds/:id/decision', session('identity'), async (ctx) => {
    const id = ctx.params['id'] ?? '';
    const body = posted(ctx);
    const decision = body.get('decision');
    const reason = decision === 'release' ? (body.get('confirmed') === 'yes' ? 'confirmed' : '') : (body.get('reasonCode') ?? '');
    const client = holdsFor(ctx);
    if ((decision !== 'release' && decision !== 'reject') || reason === '') {
      const hold = await client.get(id);
      if (!hold) {
        throw new GatewayError('NOT_FOUND', 'No identity hold with this id.');
      }
      html(ctx, holdPage(viewer(ctx), hold, 'Cochez la confirmation pour lever, ou choisissez un motif de rejet.'), 400);
      return;
    }
    try {
      await client.decide(id, decision, decision === 'release' ? '' : reason);
    } catch (e) {
      const hold = await client.get(id);
      if (!hold) {
        throw e;
      }
      html(ctx, holdPage(viewer(ctx), hold, `La décision n'a pas été enregistrée : ${(e as Error).message}`), 409);
      return;
    }
    ctx.redirect(`/ui/holds?done=${decision}`);
  });

  router.get('/ui/audit', session('compliance'), async (ctx) => {
    const v = await verifyAuditTrail(deps.db, loadCheckpointTrust(deps.config), deps.clock.now());
    const recent = await searchAudit(deps.db, {}, { limit: 50 });
    html(ctx, auditPage(viewer(ctx), v, recent.items));
  });

  router.get('/ui/audit/export', session('compliance'), async (ctx) => {
    const format = typeof ctx.query['format'] === 'string' ? ctx.query['format'] : '';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new GatewayError('BAD_REQUEST', `format must be one of ${EXPORT_FORMATS.join(', ')}.`);
    }
    await deps.audit({ type: 'user.read', actor: actor(ctx), outcome: 'success', details: { route: 'GET /ui/audit/export', format } });
    ctx.type = exportContentType[format as ExportFormat];
    ctx.attachment(`audit.${format === 'fhir' ? 'json' : format}`);
    ctx.body = Readable.from(exportChunks(iterateAudit(deps.db, {}), format as ExportFormat, observerOf(deps)));
  });
};
