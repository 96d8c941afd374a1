/**
 * The MLLP listener's accept(): the intake use case, its outcome turned into an HL7 ACK code.
 * AA: stored (again AA for a duplicate: the first transmission stands). AE: the message breaks a rule (do not resend
 * unchanged). AR: not processed — unsupported type/version or too large. A storage failure rejects the promise and
 * the listener answers AR (see server.ts).
 */
import type { Intake } from '../../app/intake.js';
import { isGatewayError } from '../../core/errors/index.js';
import type { AckResult } from '../hl7v2/ack.js';

const REJECT_CODES = new Set(['HL7_MESSAGE_TYPE_UNSUPPORTED', 'HL7_VERSION_UNSUPPORTED', 'PAYLOAD_TOO_LARGE']);

export const mllpAccept =
  (intake: Intake) =>
  async (raw: Buffer): Promise<AckResult> => {
    try {
      const r = await intake.receive({ raw, format: 'hl7v2', contentType: 'application/hl7-v2', channel: 'mllp' });
      return { code: 'AA', text: r.duplicate ? 'Already received' : 'Stored', issues: r.issues };
    } catch (e) {
      if (isGatewayError(e) && e.status < 500) {
        return { code: REJECT_CODES.has(e.code) ? 'AR' : 'AE', errorCode: e.code, text: e.message, issues: e.issues };
      }
      throw e;
    }
  };
