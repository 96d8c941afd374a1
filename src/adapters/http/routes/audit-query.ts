import type { ParsedUrlQuery } from 'node:querystring';
import { AUDIT_EVENT_TYPES } from '../../../core/audit/chain.js';
import { GatewayError } from '../../../core/errors/index.js';
import type { Issue } from '../../../core/validation/issue.js';
import type { AuditFilter } from '../../audit/search.js';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const OUTCOMES = ['success', 'failure', 'info'];

/** Normalises an ISO date or date-time to the stored form (UTC, milliseconds) so that text comparison works. */
const toStoredTime = (v: string): string => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString();

export interface ParsedAuditQuery {
  readonly filter: AuditFilter;
  /** The INS searched for, when any (its read is audited). */
  readonly ins?: string;
  readonly limit: number;
  readonly cursor?: number;
}

/** Reads ?from&to&ins&transmission&document&type&outcome&actor&cursor&limit, listing every problem at once. */
export const parseAuditQuery = (q: ParsedUrlQuery, subjectHash: (ins: string) => string): ParsedAuditQuery => {
  const one = (k: string): string | undefined => {
    const v = q[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const issues: Issue[] = [];
  const bad = (path: string, message: string): void => {
    issues.push({ severity: 'error', code: 'BAD_REQUEST', path, message });
  };
  for (const k of ['from', 'to']) {
    const v = one(k);
    if (v !== undefined && (!ISO.test(v) || Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)))) {
      bad(k, 'expected an ISO 8601 date or date-time');
    }
  }
  const rawTypes = q['type'];
  const types = (Array.isArray(rawTypes) ? rawTypes : typeof rawTypes === 'string' ? [rawTypes] : []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const t of types) {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(t)) {
      bad('type', `unknown event type '${t}' (known: ${AUDIT_EVENT_TYPES.join(', ')})`);
    }
  }
  const outcome = one('outcome');
  if (outcome !== undefined && !OUTCOMES.includes(outcome)) {
    bad('outcome', `expected one of ${OUTCOMES.join(', ')}`);
  }
  const ins = one('ins');
  if (ins !== undefined && !/^[0-9A-Ba-b]{13}[0-9]{2}$/.test(ins.trim())) {
    bad('ins', 'expected a 15-character INS (NIR or NIA with its key)');
  }
  const limit = one('limit');
  if (limit !== undefined && (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 500)) {
    bad('limit', 'expected a number from 1 to 500');
  }
  const cursor = one('cursor');
  if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) {
    bad('cursor', 'expected the nextCursor of a previous page');
  }
  if (issues.length > 0) {
    throw new GatewayError('BAD_REQUEST', 'Invalid query parameters.', { issues });
  }
  const from = one('from');
  const to = one('to');
  const filter: AuditFilter = {
    ...(from ? { from: toStoredTime(from) } : {}),
    ...(to ? { to: toStoredTime(to) } : {}),
    ...(ins ? { subjectHash: subjectHash(ins) } : {}),
    ...(one('transmission') ? { transmissionId: one('transmission') } : {}),
    ...(one('document') ? { documentUniqueId: one('document') } : {}),
    ...(types.length ? { types } : {}),
    ...(outcome ? { outcome } : {}),
    ...(one('actor') ? { actor: one('actor') } : {}),
  };
  return { filter, ...(ins ? { ins } : {}), limit: limit ? Number(limit) : 50, ...(cursor ? { cursor: Number(cursor) } : {}) };
};
