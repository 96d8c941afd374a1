import type { DeliveryOutcome, DeliveryRequest, DmpRoute, RegistryLookup } from '../../src/app/ports.js';

/**
 * An in-memory DMP for use-case tests of the outbox (the real XDS route and simulator are tested in
 * test/adapters/dmp and end to end). It keeps one entry per uniqueId, refuses duplicates like a registry,
 * and can be scripted to fail.
 */
export class FakeDmp implements DmpRoute {
  readonly entries = new Map<string, { request: DeliveryRequest; entryUuid: string; status: 'approved' | 'deprecated' }>();
  readonly submissions: DeliveryRequest[] = [];
  /** Scripted answers for the next submissions, consumed in order. */
  readonly script: ('ok' | 'busy' | 'reject' | 'timeout_after_store' | 'timeout_before_store' | 'throw')[] = [];
  lookups = 0;
  lookupFails = false;

  submit(request: DeliveryRequest): Promise<DeliveryOutcome> {
    this.submissions.push(request);
    const step = this.script.shift() ?? 'ok';
    if (step === 'busy') {
      return Promise.resolve({ kind: 'rejected', code: 'DMP_BUSY', retryable: true, message: 'HTTP 503' });
    }
    if (step === 'reject') {
      return Promise.resolve({ kind: 'rejected', code: 'DMP_METADATA_REJECTED', retryable: false, message: 'XDSRegistryMetadataError', answer: '<RegistryResponse status="Failure"/>' });
    }
    if (step === 'timeout_before_store') {
      return Promise.resolve({ kind: 'uncertain', code: 'DMP_NO_ANSWER', message: 'timeout' });
    }
    if (step === 'throw') {
      return Promise.reject(new Error('socket hang up'));
    }
    if (this.entries.has(request.documentUniqueId)) {
      return Promise.resolve({ kind: 'rejected', code: 'DMP_DUPLICATE_DOCUMENT', retryable: false, message: 'XDSDuplicateUniqueIdInRegistry' });
    }
    if (request.replacesUniqueId) {
      const old = this.entries.get(request.replacesUniqueId);
      if (old) {
        old.status = 'deprecated';
      }
    }
    const entryUuid = `urn:uuid:entry-${this.entries.size + 1}`;
    this.entries.set(request.documentUniqueId, { request, entryUuid, status: 'approved' });
    if (step === 'timeout_after_store') {
      return Promise.resolve({ kind: 'uncertain', code: 'DMP_NO_ANSWER', message: 'timeout after the DMP stored it' });
    }
    return Promise.resolve({ kind: 'delivered', entryUuid, answer: '<RegistryResponse status="Success"/>' });
  }

  findByUniqueId(uniqueId: string): Promise<RegistryLookup> {
    this.lookups++;
    if (this.lookupFails) {
      return Promise.reject(new Error('registry unreachable'));
    }
    const e = this.entries.get(uniqueId);
    return Promise.resolve(e ? { found: true, entryUuid: e.entryUuid, status: e.status } : { found: false });
  }
}
