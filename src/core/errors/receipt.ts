import { defineErrors } from './catalogue.js';

/**
 * The DMP receipt (`ZAM^Z01^ZAM_Z01`) the gateway owes the SIL when it asked for one (ACK_RECEPTION = Y). Not HTTP
 * answers: they are recorded with the receipt and in the audit trail. The transport failure itself is
 * MLLP_PEER_UNREACHABLE (intake table).
 */
export const receiptErrors = defineErrors({
  SIL_RECEIPT_REFUSED: { status: 502, retryable: false, message: 'The SIL answered the DMP receipt with AE/CE (application error): it is not sent again.' },
  SIL_RECEIPT_NOT_PROCESSED: { status: 503, retryable: true, message: 'The SIL answered the DMP receipt with AR/CR (not processed now): it is sent again later.' },
  SIL_RECEIPT_ANSWER_INVALID: { status: 502, retryable: true, message: "The SIL's answer to the DMP receipt is not an acknowledgement of it (no MSA, or MSA-2 names another message)." },
  SIL_RECEIPT_ORIGINAL_UNREADABLE: { status: 500, retryable: false, message: "The SIL's original message cannot be read back from storage (not HL7 v2, or purged), so no DMP receipt can be built." },
});
