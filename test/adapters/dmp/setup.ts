/** Shared set-up of the DMP adapter tests: test PKI, a simulator in a temp dir, and an XDS route to it. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTestPki, type TestPki } from '../../../certs/pki.js';
import { startDmpSimulator, type DmpSimulator } from '../../../conformance/dmp/index.js';
import { XdsDmpRoute, type XdsRouteOptions } from '../../../src/adapters/dmp/xds-route.js';
import { loadPkcs12Identity } from '../../../src/adapters/signing/keystore.js';
import type { DeliveryRequest } from '../../../src/app/ports.js';
import { defaultDmpFlags, type LabReport } from '../../../src/core/report/model.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const ansKit = resolve(repoRoot, '..', 'shared', 'reference', 'cda');
export const example = (name: string): string => readFileSync(join(ansKit, 'ExemplesCDA', `BIO-CR-BIO_2024.01_${name}.xml`), 'utf8');

export const pki = (): TestPki => ensureTestPki(join(tmpdir(), 'dmp-gateway-test-pki'), 'test-only-passphrase');

export const startSim = (p: TestPki, extra: { unknownPatients?: string[]; holdMs?: number } = {}): Promise<DmpSimulator> =>
  startDmpSimulator({ dataDir: mkdtempSync(join(tmpdir(), 'dmp-sim-')), pki: p, ansKitDir: ansKit, ...extra });

export const routeOptions = (p: TestPki, endpoint: string, over: Partial<XdsRouteOptions> = {}): XdsRouteOptions => {
  const now = new Date();
  const auth = loadPkcs12Identity(readFileSync(p.entities.structureAuth.p12Path), p.passphrase, now, 'authentication');
  return {
    endpoint: `${endpoint}/si-dmp-server/v2/services`,
    repositoryPath: '/repository',
    registryPath: '/registry',
    tls: { keyPem: auth.keyPem, certChainPem: auth.chainPem.join(''), caPem: p.caBundle },
    signer: loadPkcs12Identity(readFileSync(p.entities.structureSign.p12Path), p.passphrase, now, 'signature'),
    vihf: {
      version: '3.0', nameId: 'RESP-TRAITEMENT-001', subjectName: 'dmp-gateway, LBM de test', structureId: '1120459876', sectorOfActivity: 'SA25^1.2.250.1.71.4.2.4',
      roles: [{ code: 'AUTOMATE', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Automate' }], authenticationMode: 'INDIRECTE',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient', lpsName: 'dmp-gateway', lpsVersion: '0.1.0', lpsHomologation: 'TEST-HOMOLOGATION', digest: 'sha256',
    },
    xds: { sourceId: '1.2.250.1.999.1.9', contentTypeCode: { code: '07', codingScheme: '1.2.250.1.213.2.2', display: 'Consultation externe' } },
    signatureFormatCode: 'http://www.w3.org/2000/09/xmldsig#',
    digest: 'sha256',
    visibilityRules: [],
    timeoutMs: 60_000,
    defaultInsOid: '1.2.250.1.213.1.4.10',
    clock: { now: () => new Date() },
    ids: { uuid: () => randomUUID() },
    ...over,
  };
};

export const route = (p: TestPki, sim: DmpSimulator, over: Partial<XdsRouteOptions> = {}): XdsDmpRoute => new XdsDmpRoute(routeOptions(p, sim.url, over));

export const report = (flags: Partial<LabReport['flags']> = {}): LabReport => ({
  sender: 'SIL', messageId: 'M1', accessionNumber: 'A1', status: 'final', reportedAt: '2026-01-01T10:00:00+01:00', comments: [], sourceFormat: 'hl7v2',
  flags: { ...defaultDmpFlags, ...flags },
  patient: { identifiers: [], birthName: 'PAT-TROIS', birthGivenNames: 'DOMINIQUE', firstGivenName: 'DOMINIQUE', sex: 'F', birthDate: '1979-03-28', status: 'QUAL', attributes: [], ins: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } },
  batteries: [],
});

/** A fresh copy of an example with its own document id (so it can be sent again), optionally edited. */
export const uniqueCopy = (name: string, edit: (xml: string) => string = (x) => x): { xml: string; id: string } => {
  const base = example(name);
  const suffix = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const id = `1.2.250.1.999.1.77.${suffix}`;
  const xml = edit(base.replace(/(<ClinicalDocument[\s\S]*?<id root=")[^"]+("\s*\/>)/, `$1${id}$2`));
  return { xml, id };
};

export const request = (xml: string, id: string, over: Partial<DeliveryRequest> = {}): DeliveryRequest => ({
  transmissionId: randomUUID(), documentXml: xml, documentUniqueId: id, setId: 'set', versionNumber: 1, report: report(), ...over,
});
