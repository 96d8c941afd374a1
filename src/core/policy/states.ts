/** Transmission states (DESIGN.md "Transmission states"); re-exported by src/app/ports.ts. */
export const TRANSMISSION_STATES = [
  'received',
  'identity_hold',
  'opposed',
  'quarantined',
  'ready',
  'sending',
  'retry_wait',
  'delivered',
  'failed',
  'uncertain',
  'rejected',
] as const;
export type TransmissionState = (typeof TRANSMISSION_STATES)[number];

export const isTransmissionState = (s: string): s is TransmissionState => (TRANSMISSION_STATES as readonly string[]).includes(s);
