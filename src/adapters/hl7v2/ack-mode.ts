/**
 * HL7 v2.5 acknowledgement modes (chapter 2: original mode §2.9.2, enhanced mode §2.9.3; tables 0155 and 0008).
 *
 * MSH-15 (accept acknowledgement type) and MSH-16 (application acknowledgement type) both empty: original mode, one
 * ACK per message with MSA-1 AA / AE / AR. This is what the CI-SIS volet "Transmission de documents CDA en HL7v2"
 * uses: its MSH profile does not list MSH-15/16, its examples leave them empty, and MSA-1 may only be AA/AE/AR.
 *
 * Either valued: enhanced mode. The listener answers the accept (commit) acknowledgement as MSH-15 asks
 * (AL always, NE never, ER only on error/reject, SU only on success; empty or unknown: AL, since an unexpected ACK
 * costs less than a missing one):
 * - CA: committed to safe storage (message, LabReport and transmission in one transaction), or already received;
 * - CR: refused on MSH-9 / MSH-12 (message type or version not supported), HL7's definition of commit reject;
 * - CE: not accepted for any other reason: the message breaks a rule (we validate before we commit, so a refused
 *   message is never stored), or the store failed (transient: resend).
 * A CA is only ever built from an AA outcome, i.e. after the commit; a failure can only give CE/CR or silence.
 *
 * The application acknowledgement (MSH-16) would be a later, separate message. We send none: the application-level
 * outcome for the SIL is the volet's DMP receipt (ZAM^Z01) when it asks for it (ACK_RECEPTION), and content errors
 * are already in the CE. MSH-16 only selects enhanced mode (see docs/decisions.md, Intake).
 */
import { issue, type Issue } from '../../core/validation/issue.js';
import type { AckResult, InboundHeader } from './ack.js';

/** HL7 table 0155, accept/application acknowledgement conditions. */
export type AckCondition = 'AL' | 'NE' | 'ER' | 'SU';

export type AckMode =
  | { readonly kind: 'original' }
  | { readonly kind: 'enhanced'; readonly accept: AckCondition; readonly application: string; readonly issues: readonly Issue[] };

const CONDITIONS: ReadonlySet<string> = new Set(['AL', 'NE', 'ER', 'SU']);
/** Our refusal codes that are HL7's "commit reject" (MSH-9 message type, MSH-12 version). */
const COMMIT_REJECT: ReadonlySet<string> = new Set(['HL7_MESSAGE_TYPE_UNSUPPORTED', 'HL7_VERSION_UNSUPPORTED']);

export const ackModeOf = (h: InboundHeader | undefined): AckMode => {
  const accept = (h?.acceptAckType ?? '').trim().toUpperCase();
  const application = (h?.applicationAckType ?? '').trim().toUpperCase();
  if (accept === '' && application === '') {
    return { kind: 'original' };
  }
  if (CONDITIONS.has(accept)) {
    return { kind: 'enhanced', accept: accept as AckCondition, application, issues: [] };
  }
  const why = accept === '' ? 'is empty while MSH-16 is valued (enhanced mode)' : `"${accept.slice(0, 10)}" is not in HL7 table 0155 (AL, NE, ER, SU)`;
  return { kind: 'enhanced', accept: 'AL', application, issues: [issue('warning', 'HL7_ACK_TYPE_UNKNOWN', 'MSH[1].15', `MSH-15 accept acknowledgement type ${why}; answered as AL.`)] };
};

/**
 * The acknowledgement to send for an outcome given in original-mode terms (AA stored, AE refused, AR not
 * processed), or undefined when MSH-15 asks for none in this case.
 */
export const acknowledgementFor = (mode: AckMode, outcome: AckResult): AckResult | undefined => {
  if (mode.kind === 'original') {
    return outcome;
  }
  const success = outcome.code === 'AA' || outcome.code === 'CA';
  const wanted = mode.accept === 'AL' || (mode.accept === 'SU' && success) || (mode.accept === 'ER' && !success);
  if (!wanted) {
    return undefined;
  }
  const code = success ? 'CA' : COMMIT_REJECT.has(outcome.errorCode ?? '') ? 'CR' : 'CE';
  return { ...outcome, code, issues: [...mode.issues, ...(outcome.issues ?? [])] };
};
