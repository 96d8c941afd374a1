/**
 * Identity holds (issue 4): reports the identity gate held, and the two ways out.
 * - release: the SIL sent the corrected, qualified identity (it replaces the report's patient and must pass
 *   the gate), or an identity-vigilance staff member confirms the review reasons (warnings only; errors such
 *   as a non-QUAL status can never be confirmed away). The transmission goes back to `received` and is
 *   processed again through every gate.
 * - reject: the report will not be sent.
 * Every decision is audited in the same transaction as the state change.
 */
import { z } from 'zod';
import { GatewayError } from '../core/errors/index.js';
import { evaluateIdentity, type IdentityGateContext } from '../core/ins/gate.js';
import type { ComparableTraits } from '../core/ins/compare.js';
import type { LabReport, PatientIdentity } from '../core/report/model.js';
import { issue, type Issue } from '../core/validation/issue.js';
import type { IdentityDecision } from './ports.js';
import type { Clock } from './ports.js';
import type { Transmission, TransmissionStore } from '../adapters/storage/transmissions.js';
import type { AuditInput } from '../adapters/storage/audit-store.js';

/** The gate as the pipeline uses it: accepted OIDs and evidence rule from configuration, staff confirmations from the report. */
export const identityGateFor =
  (ins: { readonly acceptedOids: readonly string[]; readonly requireEvidence?: boolean }, extra: Omit<IdentityGateContext, 'acceptedOids' | 'requireEvidence' | 'confirmedCodes'> = {}) =>
  (report: LabReport): IdentityDecision =>
    evaluateIdentity(report.patient, {
      ...extra,
      acceptedOids: ins.acceptedOids,
      requireEvidence: ins.requireEvidence ?? false,
      ...(report.identityReview ? { confirmedCodes: report.identityReview.confirmedCodes } : {}),
    });

/**
 * The gate with the INS traits on record (an earlier INSi answer for the report's INS), for a pipeline that can
 * wait for a lookup: the report's strict traits must agree with them.
 */
export const identityGateWithRecord =
  (ins: { readonly acceptedOids: readonly string[]; readonly requireEvidence?: boolean }, lookup: (insValue: string) => Promise<ComparableTraits | undefined>) =>
  async (report: LabReport): Promise<IdentityDecision> => {
    const known = report.patient.ins ? await lookup(report.patient.ins.value) : undefined;
    return identityGateFor(ins, known ? { knownInsTraits: known } : {})(report);
  };

export interface HoldView {
  readonly id: string;
  readonly accession: string;
  readonly reasons: readonly Issue[];
  readonly heldAt: string;
  readonly receivedAt: string;
}

export const holdView = (t: Transmission): HoldView => ({ id: t.id, accession: t.accession, reasons: t.issues, heldAt: t.updatedAt, receivedAt: t.createdAt });

export interface HoldDeps {
  readonly transmissions: TransmissionStore;
  readonly clock: Clock;
  readonly acceptedOids: readonly string[];
  readonly requireEvidence?: boolean;
  /** Appends an audit record on its own (a refused release changes no state). */
  readonly audit: (input: AuditInput) => Promise<void>;
  /** The keyed hash of an INS value (the audit subject). */
  readonly subjectHash: (ins: string) => string;
}

export const listHolds = async (deps: Pick<HoldDeps, 'transmissions'>, page: { cursor?: string; limit?: number } = {}): Promise<{ items: HoldView[]; nextCursor?: string }> => {
  const r = await deps.transmissions.list({ status: 'identity_hold', ...page });
  return { items: r.items.map(holdView), ...(r.nextCursor ? { nextCursor: r.nextCursor } : {}) };
};

const pending = async (deps: Pick<HoldDeps, 'transmissions'>, id: string): Promise<{ t: Transmission; report: LabReport }> => {
  const t = await deps.transmissions.get(id);
  if (!t) {
    throw new GatewayError('IDENTITY_HOLD_NOT_FOUND', 'No identity hold with this id.');
  }
  if (t.status !== 'identity_hold') {
    throw new GatewayError('IDENTITY_HOLD_NOT_PENDING', `This report is ${t.status}, not held for identity.`);
  }
  if (!t.reportJson) {
    throw new GatewayError('IDENTITY_HOLD_NOT_PENDING', 'The report of this hold is no longer stored (retention).');
  }
  return { t, report: JSON.parse(t.reportJson) as LabReport };
};

export type ReleaseInput =
  | { readonly kind: 'corrected_identity'; readonly identity: PatientIdentity }
  | { readonly kind: 'staff_confirmation'; readonly confirmedCodes: readonly string[] };

export const releaseHold = async (deps: HoldDeps, id: string, input: ReleaseInput, actor: string): Promise<Transmission> => {
  const { t, report } = await pending(deps, id);
  const before = t.issues.map((r) => r.code);
  const at = deps.clock.now().toISOString();
  let next: LabReport;
  if (input.kind === 'corrected_identity') {
    next = { ...report, patient: input.identity };
  } else {
    const errors = t.issues.filter((r) => r.severity === 'error');
    if (errors.length > 0) {
      throw new GatewayError('IDENTITY_STILL_NOT_QUALIFIED', 'This hold has errors that a confirmation cannot lift (e.g. a status other than QUAL): the SIL must send the corrected, qualified identity.', { issues: errors });
    }
    const warnings = new Set(t.issues.filter((r) => r.severity === 'warning').map((r) => r.code));
    const unknown = input.confirmedCodes.filter((c) => !warnings.has(c));
    const missing = [...warnings].filter((c) => !input.confirmedCodes.includes(c));
    if (unknown.length || missing.length) {
      throw new GatewayError('VALIDATION_FAILED', 'Confirm exactly the review reasons of this hold.', {
        issues: [
          ...unknown.map((c) => issue('error', 'VALIDATION_FAILED', 'confirm.codes', `${c} is not a review reason of this hold.`)),
          ...missing.map((c) => issue('error', 'VALIDATION_FAILED', 'confirm.codes', `${c} is a review reason of this hold and is not confirmed.`)),
        ],
      });
    }
    next = { ...report, identityReview: { confirmedCodes: [...input.confirmedCodes], by: actor, at } };
  }
  // The gate must pass now; otherwise the hold stays, and the attempt is audited.
  const decision = identityGateFor({ acceptedOids: deps.acceptedOids, requireEvidence: deps.requireEvidence ?? false })(next);
  if (decision.outcome === 'hold') {
    await deps.audit({ type: 'identity.decision', actor, outcome: 'failure', transmissionId: t.id, ...(t.insHash ? { subjectHash: t.insHash } : {}), details: { action: 'release_refused', mode: input.kind, reasons: decision.reasons.filter((r) => r.severity !== 'information').map((r) => r.code) } });
    throw new GatewayError('IDENTITY_STILL_NOT_QUALIFIED', undefined, { issues: decision.reasons.filter((r) => r.severity !== 'information') });
  }
  // A corrected identity may name another patient (the SIL had a parent's INS, say): the transmission, its audit
  // subject and the searches by patient follow the corrected INS from now on; the release record keeps the
  // previous subject, so that the trail of the patient first named still shows where the report went.
  const insHash = input.kind === 'corrected_identity' ? (next.patient.ins ? deps.subjectHash(next.patient.ins.value) : null) : t.insHash;
  const subjectChanged = insHash !== t.insHash;
  return deps.transmissions.transition(
    t.id,
    ['identity_hold'],
    'received',
    { reportJson: JSON.stringify(next), issues: [], leaseOwner: null, leaseUntil: null, ...(subjectChanged ? { insHash } : {}) },
    {
      type: 'identity.hold.released', actor, outcome: 'success', ...(insHash ? { subjectHash: insHash } : {}),
      details: { mode: input.kind, reasonsBefore: before, ...(decision.rulesVersion ? { rulesVersion: decision.rulesVersion } : {}), ...(subjectChanged ? { previousSubjectHash: t.insHash } : {}) },
    },
  );
};

export const rejectHold = async (deps: Pick<HoldDeps, 'transmissions'>, id: string, reasonCode: string, actor: string): Promise<Transmission> => {
  const { t } = await pending(deps, id);
  return deps.transmissions.transition(
    t.id,
    ['identity_hold'],
    'rejected',
    { leaseOwner: null, leaseUntil: null, lastErrorCode: 'IDENTITY_HOLD_REJECTED', lastError: `Rejected by identity-vigilance staff (${reasonCode}).` },
    { type: 'identity.hold.rejected', actor, outcome: 'info', details: { reasonCode, reasonsBefore: t.issues.map((r) => r.code) } },
  );
};

// --- reading a corrected identity (JSON body) ---

const identitySchema = z.object({
  ins: z.object({ value: z.string().min(1), oid: z.string().min(1) }).optional(),
  identifiers: z.array(z.object({ system: z.string(), value: z.string() })).default([]),
  birthName: z.string().min(1),
  birthGivenNames: z.string().min(1),
  firstGivenName: z.string().min(1).optional(),
  sex: z.enum(['M', 'F', 'U']),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD (00 for an unknown day or month)'),
  birthPlaceCog: z.string().optional(),
  usedName: z.string().optional(),
  usedGivenName: z.string().optional(),
  status: z.enum(['PROV', 'RECUP', 'VALI', 'QUAL']),
  attributes: z.array(z.enum(['DOUT', 'FICT', 'HOMONYME'])).default([]),
  evidence: z.object({ documentType: z.string().min(1), checkedOn: z.string().optional() }).optional(),
});

/** Reads a corrected identity; every problem comes back with its JSON path. */
export const parseIdentity = (value: unknown, path = '$.identity'): { identity?: PatientIdentity; issues: Issue[] } => {
  const r = identitySchema.safeParse(value);
  if (!r.success) {
    return { issues: r.error.issues.map((i) => issue('error', 'VALIDATION_FAILED', [path, ...i.path.map(String)].join('.'), i.message)) };
  }
  const d = r.data;
  const firstGivenName = d.firstGivenName ?? d.birthGivenNames.trim().split(/\s+/)[0] ?? '';
  const identity: PatientIdentity = {
    identifiers: d.identifiers,
    birthName: d.birthName,
    birthGivenNames: d.birthGivenNames,
    firstGivenName,
    sex: d.sex,
    birthDate: d.birthDate,
    status: d.status,
    attributes: d.attributes,
    ...(d.ins ? { ins: d.ins } : {}),
    ...(d.birthPlaceCog ? { birthPlaceCog: d.birthPlaceCog } : {}),
    ...(d.usedName ? { usedName: d.usedName } : {}),
    ...(d.usedGivenName ? { usedGivenName: d.usedGivenName } : {}),
    ...(d.evidence ? { evidence: { documentType: d.evidence.documentType, ...(d.evidence.checkedOn ? { checkedOn: d.evidence.checkedOn } : {}) } } : {}),
  };
  return { identity, issues: [] };
};
