import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFault, classifyHttpStatus, classifyRegistryErrors, readSoapAnswer } from '../../../src/core/xds/index.js';

const env = (body: string): string =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
const rr = (status: string, errors = ''): string =>
  env(`<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="${status}">${errors}</rs:RegistryResponse>`);
const err = (code: string, severity = 'Error'): string =>
  `<rs:RegistryErrorList><rs:RegistryError errorCode="${code}" codeContext="ctx ${code}" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${severity}"/></rs:RegistryErrorList>`;

describe('reading and classifying DMP answers (standards.md §4.2, §4.8)', () => {
  it('reads Success, PartialSuccess with warnings, and Failure with errors', () => {
    assert.deepEqual(readSoapAnswer(rr('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success')), { kind: 'registryResponse', status: 'success', errors: [] });
    const partial = readSoapAnswer(rr('urn:ihe:iti:2007:ResponseStatusType:PartialSuccess', err('XDSExtraMetadataNotSaved', 'Warning')));
    assert.equal(partial.kind === 'registryResponse' && partial.status, 'partialSuccess');
    assert.equal(partial.kind === 'registryResponse' && partial.errors[0]?.severity, 'warning');
    const failure = readSoapAnswer(rr('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure', err('XDSUnknownPatientId')));
    assert.deepEqual(failure.kind === 'registryResponse' ? classifyRegistryErrors(failure.errors) : undefined,
      { code: 'DMP_UNKNOWN_PATIENT', retryable: false, message: 'XDSUnknownPatientId: ctx XDSUnknownPatientId' });
  });

  it('a permanent error wins over a transient one; warnings do not count; unknown codes are DMP_REJECTED', () => {
    const e = (errorCode: string, severity: 'error' | 'warning' = 'error') => ({ errorCode, codeContext: '', severity });
    assert.equal(classifyRegistryErrors([e('XDSRegistryBusy'), e('XDSRegistryMetadataError')]).code, 'DMP_METADATA_REJECTED');
    assert.deepEqual([classifyRegistryErrors([e('XDSRegistryBusy')]).code, classifyRegistryErrors([e('XDSRegistryBusy')]).retryable], ['DMP_BUSY', true]);
    assert.equal(classifyRegistryErrors([e('XDSNonIdenticalHash', 'warning')]).code, 'DMP_REJECTED');
    assert.equal(classifyRegistryErrors([e('DMP_ERREUR_INCONNUE')]).code, 'DMP_REJECTED');
  });

  it('reads SOAP faults with subcodes', () => {
    const f = readSoapAnswer(env('<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:wsse="x">wsse:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text>bad signature</s:Text></s:Reason></s:Fault>'));
    assert.deepEqual(f, { kind: 'fault', code: 'Sender', subcodes: ['FailedAuthentication'], reason: 'bad signature' });
    assert.equal(f.kind === 'fault' ? classifyFault(f).code : '', 'DMP_SECURITY_REJECTED');
    assert.deepEqual(classifyFault({ code: 'Receiver', subcodes: [], reason: 'x' }).retryable, true);
    assert.equal(classifyFault({ code: 'Sender', subcodes: [], reason: 'x' }).code, 'DMP_SOAP_FAULT');
  });

  it('anything else is unreadable; HTTP statuses map to busy / server / security / http errors', () => {
    assert.equal(readSoapAnswer('<html/>').kind, 'unreadable');
    assert.equal(readSoapAnswer('not xml').kind, 'unreadable');
    assert.equal(readSoapAnswer(env('<x/>')).kind, 'unreadable');
    assert.deepEqual([503, 500, 403, 404].map((s) => classifyHttpStatus(s).code), ['DMP_BUSY', 'DMP_SERVER_ERROR', 'DMP_SECURITY_REJECTED', 'DMP_HTTP_ERROR']);
  });
});
