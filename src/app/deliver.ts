/**
 * The DMP delivery decision for one report, before anything is built or sent (issue 6): patient opposition ends
 * the transmission `opposed` (nothing sent), a report the SIL did not ask to send to the DMP is not delivered,
 * otherwise the document goes out with the visibility codes from the SIL's flags and the lab's per-LOINC rules.
 * The pipeline (src/app/outbox) calls this before building the CDA; the route checks opposition again.
 */
import type { LabReport } from '../core/report/model.js';
import type { TransmissionState } from './ports.js';
import { decideDelivery, parseVisibilityRules, type VisibilityCode, type VisibilityRule } from '../core/xds/index.js';
import { GatewayError } from '../core/errors/index.js';

export interface DeliveryGate {
  /** `opposed` (patient opposition), `ready` (to build and send), or undefined when DMP feeding was not requested. */
  readonly state: Extract<TransmissionState, 'opposed' | 'ready'> | undefined;
  readonly reason?: string;
  readonly visibility: readonly VisibilityCode[];
}

/** Reads dmp.visibilityRules once (at start-up); a bad rule is a configuration error naming its index. */
export const visibilityRulesFrom = (items: readonly string[]): VisibilityRule[] => {
  const { rules, issues } = parseVisibilityRules(items);
  if (issues.length > 0) {
    throw new GatewayError('CONFIG_INVALID', 'dmp.visibilityRules has invalid rules.', { issues });
  }
  return rules;
};

export const deliveryGate = (report: LabReport, rules: readonly VisibilityRule[]): DeliveryGate => {
  const d = decideDelivery(report, rules);
  switch (d.kind) {
    case 'opposed':
      return { state: 'opposed', reason: d.reason, visibility: [] };
    case 'not_requested':
      return { state: undefined, reason: d.reason, visibility: [] };
    case 'send':
      return { state: 'ready', visibility: d.visibility };
  }
};
