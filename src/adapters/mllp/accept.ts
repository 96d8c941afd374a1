/**
 * The MLLP listener's accept(): the intake use case, its outcome turned into an HL7 ACK code.
 * AA: stored (again AA for a duplicate: the first transmission stands). AE: the message breaks a rule, including an
 * unsupported type or version as in the volet's own example (do not resend unchanged). AR ("rejected for a
 * circumstantial reason, may be resent later"): a storage failure rejects the promise and the listener answers AR
 * (see server.ts); a frame over the size limit is answered AR and the connection closed. These are original-mode
 * outcomes; the listener turns them into CA / CE / CR, or nothing, when the message asks for enhanced mode (ack-mode.ts).
 */
import type { Intake } from '../../app/intake.js';
import { isGatewayError } from '../../core/errors/index.js';
import type { AckResult } from '../hl7v2/ack.js';

export const mllpAccept =
  (intake: Intake) =>
  async (raw: Buffer): Promise<AckResult> => {
    try {
      const r = await intake.receive({ raw, format: 'hl7v2', contentType: 'application/hl7-v2', channel: 'mllp' });
      return { code: 'AA', text: r.duplicate ? 'Already received' : 'Stored', issues: r.issues };
    } catch (e) {
      if (isGatewayError(e) && e.status < 500) {
        return { code: e.retryable ? 'AR' : 'AE', errorCode: e.code, text: e.message, issues: e.issues };
      }
      throw e;
    }
  };
