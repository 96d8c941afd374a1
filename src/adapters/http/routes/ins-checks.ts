/**
 * POST /v1/ins/checks: automated INS qualification checks for a batch of identities (JSON array, or CSV with a
 * header row). Answers JSON `{results, issues}`, or CSV when the client accepts text/csv. Each INSi call is
 * audited with the keyed hash of the INS returned, never the INS or the traits.
 */
import type Router from '@koa/router';
import { GatewayError } from '../../../core/errors/index.js';
import { hasErrors } from '../../../core/validation/issue.js';
import { parseCheckCsv, parseCheckJson } from '../../../app/identity-check-input.js';
import { checkResultsToCsv, runInsChecks, type InsiSearchPort } from '../../../app/identity-checks.js';
import type { RouteModule } from '../app.js';
import { openInsi, type InsiSetup } from '../../insi/setup.js';
import { InsTraitsStore } from '../../insi/traits-store.js';
import { readBody, mediaType } from '../body.js';
import { requireRole, state, type HttpDeps } from '../context.js';

export const MAX_CHECKS_PER_REQUEST = 500;

export const insCheckRoutes =
  (insi: () => Promise<InsiSearchPort>, options: { readonly traits?: InsTraitsStore } = {}): RouteModule =>
  (router: Router, deps: HttpDeps): void => {
    router.post('/v1/ins/checks', requireRole(deps, 'identity'), async (ctx) => {
      const type = mediaType(ctx);
      const raw = (await readBody(ctx, deps.config.http.bodyLimitBytes)).toString('utf8');
      let parsed;
      if (type === 'text/csv') {
        parsed = parseCheckCsv(raw);
      } else if (type === 'application/json') {
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch (e) {
          throw new GatewayError('BODY_MALFORMED', `The body is not valid JSON: ${(e as Error).message}`);
        }
        parsed = parseCheckJson(value);
      } else {
        throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Send application/json (an array of identities) or text/csv (with a header row).');
      }
      if (hasErrors(parsed.issues) || parsed.rows.length === 0) {
        throw new GatewayError('INS_CHECK_INPUT_INVALID', parsed.rows.length === 0 && !hasErrors(parsed.issues) ? 'No identity to check.' : undefined, { issues: parsed.issues });
      }
      if (parsed.rows.length > MAX_CHECKS_PER_REQUEST) {
        throw new GatewayError('INS_CHECK_INPUT_INVALID', `At most ${MAX_CHECKS_PER_REQUEST} identities per request; use the CLI (ins check) for larger files.`);
      }
      const actor = `user:${state(ctx).principal?.tokenId ?? '?'}`;
      const client = await insi();
      const results = await runInsChecks(parsed.rows, {
        insi: client,
        onResult: async (_row, r) => {
          if (options.traits && r.insiCode === '00' && r.ins && r.insOid && r.insiTraits) {
            await options.traits.record(r.ins, r.insOid, r.insiTraits, 'insi.check', deps.clock.now());
          }
          await deps.audit({
            type: 'insi.query',
            actor,
            outcome: r.error ? 'failure' : 'success',
            ...(r.ins ? { subjectHash: deps.subjectHash(r.ins) } : {}),
            details: { route: 'POST /v1/ins/checks', insiCode: r.insiCode, calls: r.calls, recommendation: r.recommendation, decision: r.decision ?? null, errorCode: r.error?.code ?? null, rulesVersion: r.rulesVersion },
          });
        },
      });
      if (ctx.accepts('application/json', 'text/csv') === 'text/csv') {
        ctx.type = 'text/csv';
        ctx.body = checkResultsToCsv(results);
      } else {
        ctx.body = { results, issues: parsed.issues };
      }
    });
  };

/** The route wired to the INSi of the configuration (opened on first use; in sandbox, the in-process simulator). */
export const insChecksFromConfig: RouteModule = (router, deps) => {
  let opened: Promise<InsiSetup> | undefined;
  const get = async (): Promise<InsiSearchPort> => {
    opened ??= openInsi(deps.config, { clock: deps.clock, ids: deps.ids });
    try {
      return (await opened).client;
    } catch (e) {
      opened = undefined;
      throw e;
    }
  };
  // Each INSi answer is kept (by keyed INS hash) so that the identity gate compares later reports with it.
  insCheckRoutes(get, { traits: new InsTraitsStore(deps.db, deps.subjectHash) })(router, deps);
};
