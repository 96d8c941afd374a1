import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per gateway instance (not the global one, so tests can run several). Process
 * metrics plus the gateway's own; other modules register theirs on `registry`.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly reportsReceived: Counter<'format' | 'outcome'>;
  readonly transmissionsByState: Gauge<'state'>;
  readonly oldestReadyAgeSeconds: Gauge;
  readonly deliveries: Counter<'outcome' | 'code'>;
  readonly retries: Counter;
  readonly identityHoldsWaiting: Gauge;
  readonly silReceiptsPending: Gauge;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'dmp_gateway_http_request_duration_seconds',
      help: 'HTTP requests by route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    reportsReceived: new Counter({ name: 'dmp_gateway_reports_received_total', help: 'Reports received from the SIL, by format and outcome.', labelNames: ['format', 'outcome'], registers: [registry] }),
    transmissionsByState: new Gauge({ name: 'dmp_gateway_transmissions', help: 'Transmissions by state (queue depth).', labelNames: ['state'], registers: [registry] }),
    oldestReadyAgeSeconds: new Gauge({ name: 'dmp_gateway_oldest_ready_age_seconds', help: 'Age of the oldest transmission waiting to be sent.', registers: [registry] }),
    deliveries: new Counter({ name: 'dmp_gateway_deliveries_total', help: 'Delivery attempts by outcome and error code.', labelNames: ['outcome', 'code'], registers: [registry] }),
    retries: new Counter({ name: 'dmp_gateway_retries_total', help: 'Deliveries scheduled for a retry.', registers: [registry] }),
    identityHoldsWaiting: new Gauge({ name: 'dmp_gateway_identity_holds_waiting', help: 'Reports held for identity review.', registers: [registry] }),
    silReceiptsPending: new Gauge({ name: 'dmp_gateway_sil_receipts_pending', help: 'DMP receipts (ZAM^Z01) owed to the SIL and not yet acknowledged by it.', registers: [registry] }),
  };
}
