/**
 * Identity holds for the dashboard. The dashboard calls the identity-holds API (GET /v1/identity-holds,
 * POST /v1/identity-holds/{id}/release|reject, DESIGN.md) over loopback with the signed-in user's token, so
 * the same rules and audit records apply as for any client. While that API is not served by this build
 * (404 ROUTE_NOT_FOUND), holds are still listed (transmissions in state identity_hold) but no decision is taken:
 * only the identity-holds use case knows what a confirmation may lift.
 */
import type { Transmission, TransmissionStore } from '../storage/transmissions.js';
import type { Issue } from '../../core/validation/issue.js';
import type { Executor } from '../storage/db.js';

export interface HoldView {
  readonly id: string;
  readonly transmissionId: string;
  readonly accession: string;
  readonly createdAt: string;
  readonly reasons: readonly { code: string; message: string }[];
  /** Traits as sent by the SIL (strict traits first). */
  readonly silTraits: Readonly<Record<string, string>>;
  /** INS traits on record (from INSi), when known. */
  readonly insTraits?: Readonly<Record<string, string>>;
}

const TRAIT_KEYS: readonly [string, string][] = [
  ['birthName', 'Nom de naissance'],
  ['birthGivenNames', 'Prénoms de naissance'],
  ['firstGivenName', 'Premier prénom'],
  ['sex', 'Sexe'],
  ['birthDate', 'Date de naissance'],
  ['birthPlaceCog', 'Lieu de naissance (COG)'],
  ['ins', 'INS'],
  ['status', "Statut de l'identité"],
];
export const TRAIT_LABELS: ReadonlyMap<string, string> = new Map(TRAIT_KEYS);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Traits from a patient object of any of the usual shapes (LabReport.patient, or the holds API's). */
export const traitsOf = (p: unknown): Record<string, string> => {
  if (!p || typeof p !== 'object') {
    return {};
  }
  const o = p as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k] of TRAIT_KEYS) {
    const v = k === 'ins' ? (str((o['ins'] as Record<string, unknown> | undefined)?.['value']) ?? str(o['ins'])) : str(o[k]);
    if (v !== undefined && v !== '') {
      out[k] = v;
    }
  }
  return out;
};

const fromTransmission = (t: Transmission): HoldView => {
  let patient: unknown;
  try {
    patient = (JSON.parse(t.reportJson ?? '{}') as { patient?: unknown }).patient;
  } catch {
    patient = undefined;
  }
  return {
    id: t.id,
    transmissionId: t.id,
    accession: t.accession,
    createdAt: t.createdAt,
    reasons: t.issues.map((i: Issue) => ({ code: i.code, message: i.message })),
    silTraits: traitsOf(patient),
  };
};

/** Reads whatever the holds API returns into HoldView (tolerant of field names). */
const fromApi = (x: Record<string, unknown>): HoldView => {
  const reasons = (Array.isArray(x['reasons']) ? x['reasons'] : Array.isArray(x['issues']) ? x['issues'] : []) as unknown[];
  const ins = x['insTraits'] ?? x['insiTraits'] ?? x['recordTraits'];
  return {
    id: str(x['id']) ?? '',
    transmissionId: str(x['transmissionId']) ?? str(x['id']) ?? '',
    accession: str(x['accession']) ?? '',
    createdAt: str(x['heldAt']) ?? str(x['createdAt']) ?? '',
    reasons: reasons.map((r) => (typeof r === 'string' ? { code: r, message: '' } : { code: str((r as Record<string, unknown>)['code']) ?? '', message: str((r as Record<string, unknown>)['message']) ?? '' })),
    silTraits: traitsOf(x['silTraits'] ?? x['reportTraits'] ?? x['patient']),
    ...(ins ? { insTraits: traitsOf(ins) } : {}),
  };
};

/** INS traits from the last INSi answer on record for this keyed INS hash; undefined when none (or no such table). */
export const insTraitsOnRecord = async (db: Executor, insHash: string): Promise<Record<string, string> | undefined> => {
  try {
    const r = (await db.query<{ traits_json: string }>('SELECT traits_json FROM ins_traits WHERE ins_hash = ?', [insHash]))[0];
    return r ? traitsOf(JSON.parse(r.traits_json)) : undefined;
  } catch {
    return undefined;
  }
};

export interface HoldsAccess {
  list(): Promise<HoldView[]>;
  get(id: string): Promise<HoldView | undefined>;
  decide(id: string, decision: 'release' | 'reject', reasonCode: string): Promise<void>;
}

export class HoldsClient implements HoldsAccess {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
    private readonly fallback: { transmissions: TransmissionStore; db?: Executor },
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown; missing: boolean }> {
    if (!this.token) {
      return { status: 404, json: undefined, missing: true };
    }
    const res = await fetch(`${this.base}${path}`, { method, headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const json: unknown = await res.json().catch(() => undefined);
    const missing = res.status === 404 && (json as { code?: string } | undefined)?.code === 'ROUTE_NOT_FOUND';
    return { status: res.status, json, missing };
  }

  async list(): Promise<HoldView[]> {
    const r = await this.call('GET', '/v1/identity-holds');
    if (!r.missing) {
      if (r.status !== 200) {
        throw new Error(`identity-holds API answered ${r.status}`);
      }
      const items = (r.json as { items?: unknown[] } | unknown[]) ?? [];
      return Promise.all((Array.isArray(items) ? items : (items.items ?? [])).map((x) => this.withTraits(fromApi(x as Record<string, unknown>))));
    }
    const out: HoldView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.fallback.transmissions.list({ status: 'identity_hold', limit: 500, ...(cursor ? { cursor } : {}) });
      out.push(...page.items.map(fromTransmission));
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  async get(id: string): Promise<HoldView | undefined> {
    const r = await this.call('GET', `/v1/identity-holds/${encodeURIComponent(id)}`);
    if (!r.missing && r.status === 200) {
      return this.withTraits(fromApi(r.json as Record<string, unknown>));
    }
    if (!r.missing && r.status !== 404 && r.status !== 405) {
      throw new Error(`identity-holds API answered ${r.status}`);
    }
    const fromList = (await this.list()).find((x) => x.id === id);
    if (fromList) {
      return fromList;
    }
    const t = await this.fallback.transmissions.get(id);
    return t && t.status === 'identity_hold' ? this.withTraits(fromTransmission(t)) : undefined;
  }

  /**
   * The API never returns traits: the SIL's come from the stored report, the INS traits from the last INSi answer
   * on record for the same keyed INS hash (table ins_traits, when the INS engine's migration is installed).
   */
  private async withTraits(v: HoldView): Promise<HoldView> {
    const t = await this.fallback.transmissions.get(v.transmissionId);
    if (!t) {
      return v;
    }
    const sil = Object.keys(v.silTraits).length > 0 ? v.silTraits : fromTransmission(t).silTraits;
    const ins = v.insTraits ?? (t.insHash && this.fallback.db ? await insTraitsOnRecord(this.fallback.db, t.insHash) : undefined);
    return { ...v, silTraits: sil, ...(ins ? { insTraits: ins } : {}) };
  }

  /**
   * release: the staff member confirms the identity despite the listed reasons (API body
   * {"confirm": {"codes": [...]}}); reject: with one of the API's reason codes.
   */
  async decide(id: string, decision: 'release' | 'reject', reasonCode: string): Promise<void> {
    let body: unknown = { reasonCode };
    if (decision === 'release') {
      const hold = await this.get(id);
      body = { confirm: { codes: (hold?.reasons ?? []).map((x) => x.code) } };
    }
    const r = await this.call('POST', `/v1/identity-holds/${encodeURIComponent(id)}/${decision}`, body);
    if (!r.missing) {
      if (r.status >= 300) {
        const p = r.json as { detail?: string; title?: string } | undefined;
        throw new Error(p?.detail ?? p?.title ?? `identity-holds API answered ${r.status}`);
      }
      return;
    }
    // No decision without the identity-holds use case and its rules (what a confirmation may lift).
    throw new Error("l'API des mises en attente (/v1/identity-holds) n'est pas disponible");
  }
}
