/**
 * For each rule the simulated DMP enforces, a submission that breaks it: the simulator rejects it with the
 * right XDS code (or SOAP fault), and the gateway classifies the answer (catalogue code, retryable or not).
 */
import { randomUUID, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import { postOnce } from '../../../src/adapters/dmp/https.js';
import { soapEnvelope } from '../../../src/adapters/dmp/soap.js';
import { iti41Outcome, XdsDmpRoute, type PreparedIti41 } from '../../../src/adapters/dmp/xds-route.js';
import { loadPkcs12Identity } from '../../../src/adapters/signing/keystore.js';
import { signedVihf } from '../../../src/adapters/signing/vihf.js';
import { signSubmissionSet } from '../../../src/adapters/signing/xades.js';
import type { DeliveryOutcome, DeliveryRequest } from '../../../src/app/ports.js';
import { pki, report, request, routeOptions, startSim, uniqueCopy } from './setup.js';

interface Expect {
  readonly kind: DeliveryOutcome['kind'];
  readonly code?: string;
  readonly retryable?: boolean;
  /** Text the DMP answer must contain (the XDS errorCode or fault subcode). */
  readonly answer?: RegExp;
}

const OTHER_INS = '180032B02040123'; // NIR 180032B020401, key 23 (standards.md §1.3), fictitious patient.

describe('strict DMP simulator: rule-breaking submissions are rejected and classified', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let r: XdsDmpRoute;
  before(async () => {
    p = pki();
    sim = await startSim(p, { unknownPatients: [OTHER_INS], holdMs: 30_000 });
    r = new XdsDmpRoute(routeOptions(p, sim.url));
  });
  after(async () => sim.close());

  const prepared = async (req?: DeliveryRequest, route: XdsDmpRoute = r): Promise<PreparedIti41> => {
    const { xml, id } = uniqueCopy('TSH_1');
    const out = await route.prepare(req ?? request(xml, id));
    assert.equal(out.kind, 'iti41');
    return out;
  };
  const valueOf = (body: string, slot: string, nth = 0): string => [...body.matchAll(new RegExp(`<rim:Slot name="${slot}"><rim:ValueList><rim:Value>([^<]*)<`, 'g'))][nth]?.[1] ?? '';
  const setSlot = (body: string, slot: string, value: string, nth = 0): string => {
    let i = -1;
    return body.replace(new RegExp(`(<rim:Slot name="${slot}"><rim:ValueList><rim:Value>)([^<]*)(<)`, 'g'), (m, a: string, _v: string, c: string) => (++i === nth ? `${a}${value}${c}` : m));
  };
  const sigUniqueIdOf = (body: string): string => /value="(2\.25\.\d+)"><rim:Name><rim:LocalizedString value="XDSDocumentEntry\.uniqueId"/.exec(body)?.[1] ?? '';
  const withXades = (pp: PreparedIti41, xades: Buffer): PreparedIti41 => {
    const old = pp.attachments[1]!.bytes;
    let body = setSlot(pp.bodyXml, 'hash', createHash('sha1').update(xades).digest('hex'), 1);
    body = setSlot(body, 'size', String(xades.byteLength), 1);
    assert.equal(valueOf(pp.bodyXml, 'size', 1), String(old.byteLength));
    return { ...pp, bodyXml: body, attachments: [pp.attachments[0]!, { ...pp.attachments[1]!, bytes: xades }] };
  };
  const send = (pp: PreparedIti41, route: XdsDmpRoute = r): Promise<DeliveryOutcome> => route.transmit(pp);
  /** The submission with other CDA bytes, its hash, size and XAdES made consistent with them (only the CDA rules can object). */
  const withCda = (pp: PreparedIti41, cda: Buffer): PreparedIti41 => {
    const body = setSlot(setSlot(pp.bodyXml, 'hash', createHash('sha1').update(cda).digest('hex'), 0), 'size', String(cda.byteLength), 0);
    const ssId = /value="(2\.25\.\d+)"[^>]*><rim:Name><rim:LocalizedString value="XDSSubmissionSet\.uniqueId"/.exec(body)?.[1] ?? '';
    const docId = /value="([^"]+)"[^>]*><rim:Name><rim:LocalizedString value="XDSDocumentEntry\.uniqueId"/.exec(body)?.[1] ?? '';
    const o = routeOptions(p, sim.url);
    const xades = Buffer.from(signSubmissionSet(o.signer, { signatureId: sigUniqueIdOf(body), submissionSetUniqueId: ssId, documents: [{ uniqueId: docId, bytes: cda }], signingTime: new Date(), digest: 'sha256' }));
    return withXades({ ...pp, bodyXml: body, attachments: [{ ...pp.attachments[0]!, bytes: cda }, pp.attachments[1]!] }, xades);
  };
  const cdaText = (pp: PreparedIti41): string => Buffer.from(pp.attachments[0]!.bytes).toString('utf8');
  const xadesText = (pp: PreparedIti41): string => Buffer.from(pp.attachments[1]!.bytes).toString('utf8');
  const derOf = (pem: string): string => pem.replace(/-----[^-]+-----|\s/g, '');

  const cases: { name: string; run: () => Promise<DeliveryOutcome>; expect: Expect }[] = [
    // Transport and security.
    { name: 'client certificate from an unknown CA (mTLS refused)', expect: { kind: 'rejected', code: 'DMP_TLS_FAILED', retryable: false },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const bad = new XdsDmpRoute({ ...o, tls: { keyPem: readFileSync(p.entities.untrustedClient.keyPath, 'utf8'), certChainPem: p.entities.untrustedClient.cert, caPem: p.caBundle } });
        const { xml, id } = uniqueCopy('TSH_1');
        return bad.submit(request(xml, id));
      } },
    { name: 'DMP server certificate not trusted by the gateway', expect: { kind: 'rejected', code: 'DMP_TLS_FAILED', retryable: false },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const { xml, id } = uniqueCopy('TSH_1');
        return new XdsDmpRoute({ ...o, tls: { ...o.tls, caPem: p.entities.untrustedClient.cert } }).submit(request(xml, id));
      } },
    { name: 'ITI-41 without MTOM (plain SOAP)', expect: { kind: 'rejected', code: 'DMP_SOAP_FAULT', retryable: false, answer: /MTOM/ },
      run: async () => {
        const pp = await prepared();
        const env = soapEnvelope({ action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', messageId: pp.messageId, to: pp.to, vihfXml: pp.vihfXml, bodyXml: pp.bodyXml });
        const o = routeOptions(p, sim.url);
        return iti41Outcome(await postOnce(pp.to, Buffer.from(env), { 'content-type': 'application/soap+xml; charset=UTF-8' }, o.tls, 10_000), pp.mainEntryId, '');
      } },
    { name: 'wrong WS-Addressing Action', expect: { kind: 'rejected', code: 'DMP_SOAP_FAULT', retryable: false, answer: /ActionNotSupported/ },
      run: async () => {
        const pp = await prepared();
        const o = routeOptions(p, sim.url);
        const env = soapEnvelope({ action: 'urn:ihe:iti:2007:RegisterDocumentSet-b', messageId: pp.messageId, to: pp.to, vihfXml: pp.vihfXml, bodyXml: pp.bodyXml });
        const { buildMtom } = await import('../../../src/adapters/dmp/mtom.js');
        const m = buildMtom(env, pp.attachments, { boundary: pp.boundary, rootId: pp.rootId, action: 'x' });
        return iti41Outcome(await postOnce(pp.to, m.body, { 'content-type': m.contentType }, o.tls, 10_000), pp.mainEntryId, '');
      } },
    { name: 'no VIHF in wsse:Security', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', retryable: false, answer: /InvalidSecurity/ },
      run: async () => send({ ...(await prepared()), vihfXml: '<x:Empty xmlns:x="urn:x"/>' }) },
    { name: 'VIHF changed after signing', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /FailedAuthentication/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, vihfXml: pp.vihfXml.replace('>INDIRECTE<', '>DIRECTE<') });
      } },
    { name: 'VIHF signed with a certificate outside the IGC (test CA)', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /FailedAuthentication/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const rogue = loadPkcs12Identity(readFileSync(p.entities.untrustedClient.p12Path), p.passphrase, new Date(), 'rogue');
        const pp = await prepared();
        return send({ ...pp, vihfXml: signedVihf(rogue, o.vihf, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } }) });
      } },
    { name: 'VIHF without LPS_ID_HOMOLOGATION_DMP', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /InvalidSecurity/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        return send(await prepared(undefined, new XdsDmpRoute({ ...o, vihf: { ...o.vihf, lpsHomologation: '' } })), r);
      } },
    { name: 'VIHF with a second element carrying its ID, outside what the digest covers (signature wrapping)', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /FailedAuthentication[\s\S]*several elements have this id/ },
      run: async () => {
        const pp = await prepared();
        const id = /<saml2:Assertion [^>]*ID="([^"]+)"/.exec(pp.vihfXml)?.[1] ?? '';
        assert.ok(id);
        return send({ ...pp, vihfXml: pp.vihfXml.replace('<ds:KeyInfo>', `<ds:KeyInfo Id="${id}">`) });
      } },
    { name: 'VIHF with another trusted certificate in KeyInfo than the signing one', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /FailedAuthentication[\s\S]*SignatureValue does not verify/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, vihfXml: pp.vihfXml.replace(/<ds:X509Certificate>[^<]*</, `<ds:X509Certificate>${derOf(p.entities.structureAuth.cert)}<`) });
      } },
    { name: 'VIHF resource-id with a wrong INS key', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /InvalidSecurity/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const pp = await prepared();
        return send({ ...pp, vihfXml: signedVihf(o.signer, o.vihf, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518988', oid: '1.2.250.1.213.1.4.10' } }) });
      } },
    { name: 'VIHF issued an hour ago', expect: { kind: 'rejected', code: 'DMP_SECURITY_REJECTED', answer: /FailedAuthentication/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        return send(await prepared(undefined, new XdsDmpRoute({ ...o, clock: { now: () => new Date(Date.now() - 3600_000) } })));
      } },
    { name: 'VIHF for another patient than the submission', expect: { kind: 'rejected', code: 'DMP_PATIENT_ID_MISMATCH', answer: /XDSPatientIdDoesNotMatch/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const pp = await prepared();
        return send({ ...pp, vihfXml: signedVihf(o.signer, o.vihf, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '297022A02077878', oid: '1.2.250.1.213.1.4.10' } }) });
      } },
    // Metadata.
    { name: 'hash that is not the SHA-1 of the document', expect: { kind: 'rejected', code: 'DMP_HASH_MISMATCH', answer: /XDSNonIdenticalHash/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: setSlot(pp.bodyXml, 'hash', createHash('sha1').update('other').digest('hex')) });
      } },
    { name: 'size that is not the byte length', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /XDSRepositoryMetadataError/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: setSlot(pp.bodyXml, 'size', '12') });
      } },
    { name: 'classCode other than 10', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /classCode 10/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace('nodeRepresentation="10"', 'nodeRepresentation="11"') });
      } },
    { name: 'typeCode other than 11502-2', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /typeCode 11502-2/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace('nodeRepresentation="11502-2"', 'nodeRepresentation="11488-4"') });
      } },
    { name: 'confidentialityCode outside JDV_J08', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /not in JDV_J08/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace('nodeRepresentation="N"', 'nodeRepresentation="SECRET"') });
      } },
    { name: 'healthcareFacilityTypeCode outside JDV_J02', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /not in JDV_J02/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/nodeRepresentation="SA25"/g, 'nodeRepresentation="LABO"') });
      } },
    { name: 'practiceSettingCode outside JDV_J04', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /not in JDV_J04/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/nodeRepresentation="AMBULATOIRE"/g, 'nodeRepresentation="VILLE"') });
      } },
    { name: 'creationTime missing', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /slot creationTime is required/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/<rim:Slot name="creationTime">.*?<\/rim:Slot>/, '') });
      } },
    { name: 'document not attached (xop:Include to a missing part)', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /XDSMissingDocument/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/href="cid:doc-[^"]+"/, 'href="cid:nowhere%40x"') });
      } },
    { name: 'CDA changed after hashing and signing', expect: { kind: 'rejected', code: 'DMP_HASH_MISMATCH', answer: /XDSNonIdenticalHash/ },
      run: async () => {
        const pp = await prepared();
        const doc = Buffer.from(Buffer.from(pp.attachments[0]!.bytes).toString('utf8').replace('<title>Compte rendu', '<title>Compte-rendu'));
        return send({ ...pp, attachments: [{ ...pp.attachments[0]!, bytes: doc }, pp.attachments[1]!] });
      } },
    { name: 'CDA not valid against CDA_extended.xsd', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /CDA_extended\.xsd/ },
      run: async () => {
        const { xml, id } = uniqueCopy('TSH_1', (x) => x.replace('<languageCode code="fr-FR"/>', '<languageCode code="fr-FR"/><langue/>'));
        return r.submit(request(xml, id));
      } },
    { name: 'patientId with another INS OID than the CDA', expect: { kind: 'rejected', code: 'DMP_PATIENT_ID_MISMATCH', answer: /XDSPatientIdDoesNotMatch/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const { xml, id } = uniqueCopy('TSH_1');
        return new XdsDmpRoute({ ...o, xds: { ...o.xds, patientIdOid: '1.2.250.1.213.1.4.8' } }).submit(request(xml, id));
      } },
    { name: 'patientId with a wrong INS key', expect: { kind: 'rejected', code: 'DMP_UNKNOWN_PATIENT', answer: /XDSUnknownPatientId/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/279035121518989\^\^\^/g, '279035121518988^^^') });
      } },
    { name: 'patient without an open DMP', expect: { kind: 'rejected', code: 'DMP_UNKNOWN_PATIENT', answer: /XDSUnknownPatientId/ },
      run: async () => {
        const { xml, id } = uniqueCopy('TSH_1', (x) => x.replace('extension="279035121518989"', `extension="${OTHER_INS}"`));
        return r.submit(request(xml, id));
      } },
    { name: 'same uniqueId twice in one submission', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /XDSRegistryDuplicateUniqueIdInMessage/ },
      run: async () => {
        const { xml, id } = uniqueCopy('TSH_1');
        const pp = await prepared(request(xml, id));
        const sigId = sigUniqueIdOf(pp.bodyXml);
        assert.match(sigId, /^2\.25\./);
        return send({ ...pp, bodyXml: pp.bodyXml.replace(`value="${sigId}"`, `value="${id}"`) });
      } },
    { name: 'no signs association (unsigned submission set)', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /must be signed/ },
      run: async () => {
        const pp = await prepared();
        return send({ ...pp, bodyXml: pp.bodyXml.replace(/<rim:Association [^>]*AssociationType:signs"[^>]*\/>/, '') });
      } },
    { name: 'XAdES manifest over other bytes than the CDA', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /Manifest digest/ },
      run: async () => {
        const o = routeOptions(p, sim.url);
        const pp = await prepared();
        const sigId = sigUniqueIdOf(pp.bodyXml);
        const ssId = /value="(2\.25\.\d+)"[^>]*><rim:Name><rim:LocalizedString value="XDSSubmissionSet\.uniqueId"/.exec(pp.bodyXml)?.[1] ?? '';
        const docId = /value="([^"]+)"[^>]*><rim:Name><rim:LocalizedString value="XDSDocumentEntry\.uniqueId"/.exec(pp.bodyXml)?.[1] ?? '';
        const xades = Buffer.from(signSubmissionSet(o.signer, { signatureId: sigId, submissionSetUniqueId: ssId, documents: [{ uniqueId: docId, bytes: Buffer.from('another document') }], signingTime: new Date(), digest: 'sha256' }));
        return send(withXades(pp, xades));
      } },
    { name: 'XAdES signed with a certificate outside the IGC', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /signing certificate: the certificate is not issued by the trusted test CA/ },
      run: async () => {
        const rogue = loadPkcs12Identity(readFileSync(p.entities.untrustedClient.p12Path), p.passphrase, new Date(), 'rogue');
        const pp = await prepared();
        const sigId = sigUniqueIdOf(pp.bodyXml);
        const ssId = /value="(2\.25\.\d+)"[^>]*><rim:Name><rim:LocalizedString value="XDSSubmissionSet\.uniqueId"/.exec(pp.bodyXml)?.[1] ?? '';
        const docId = /value="([^"]+)"[^>]*><rim:Name><rim:LocalizedString value="XDSDocumentEntry\.uniqueId"/.exec(pp.bodyXml)?.[1] ?? '';
        return send(withXades(pp, Buffer.from(signSubmissionSet(rogue, { signatureId: sigId, submissionSetUniqueId: ssId, documents: [{ uniqueId: docId, bytes: pp.attachments[0]!.bytes }], signingTime: new Date(), digest: 'sha256' }))));
      } },
    { name: 'XAdES signed properties changed after signing', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature does not verify/ },
      run: async () => {
        const pp = await prepared();
        const xades = xadesText(pp).replace(/<xades:SigningTime>\d{4}/, '<xades:SigningTime>1999');
        assert.notEqual(xades, xadesText(pp));
        return send(withXades(pp, Buffer.from(xades)));
      } },
    { name: 'XAdES with another trusted certificate in KeyInfo than the signing one', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature does not verify: the SignatureValue does not verify/ },
      run: async () => {
        const pp = await prepared();
        const xades = xadesText(pp).replace(/<ds:X509Certificate>[^<]*</, `<ds:X509Certificate>${derOf(p.entities.structureAuth.cert)}<`);
        assert.notEqual(xades, xadesText(pp));
        return send(withXades(pp, Buffer.from(xades)));
      } },
    { name: 'XAdES with a digest algorithm the DMP does not accept (MD5)', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature does not verify: digest algorithm [^ ]*md5 is not supported/ },
      run: async () => {
        const pp = await prepared();
        const xades = xadesText(pp).replace(/(<ds:SignedInfo>[\s\S]*?<ds:DigestMethod Algorithm=")[^"]*/, '$1http://www.w3.org/2001/04/xmldsig-more#md5');
        assert.notEqual(xades, xadesText(pp));
        return send(withXades(pp, Buffer.from(xades)));
      } },
    { name: 'XAdES with a second element carrying the Manifest id (signature wrapping)', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature does not verify: [^<]*several elements have this id/ },
      run: async () => {
        const pp = await prepared();
        return send(withXades(pp, Buffer.from(xadesText(pp).replace('</ds:Signature>', '<ds:Object ID="IHEManifest"/></ds:Signature>'))));
      } },
    { name: 'XAdES that is not well-formed XML', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature: the signature document is not well-formed/ },
      run: async () => {
        const pp = await prepared();
        return send(withXades(pp, Buffer.from(xadesText(pp).replace('</ds:Signature>', '</ds:Signatur>'))));
      } },
    { name: 'XAdES with a document type declaration (an entity stands in for signed text)', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /submission-set signature: the signature document is not well-formed: a document type declaration is not allowed/ },
      run: async () => {
        const pp = await prepared();
        const xades = xadesText(pp).replace(/^(<\?xml[^>]*\?>)?/, '$1<!DOCTYPE ds:Signature [<!ENTITY p "1.2.840.10065.1.12.1.14">]>').replace('>1.2.840.10065.1.12.1.14<', '>&p;<');
        assert.match(xades, /&p;/);
        return send(withXades(pp, Buffer.from(xades)));
      } },
    { name: 'CDA that is not well-formed XML', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /not well-formed XML/ },
      run: async () => {
        const pp = await prepared();
        return send(withCda(pp, Buffer.from(cdaText(pp).replace('</ClinicalDocument>', '</ClinicalDoc>'))));
      } },
    { name: 'uniqueId that is not the CDA ClinicalDocument/id', expect: { kind: 'rejected', code: 'DMP_METADATA_REJECTED', answer: /uniqueId is not the CDA ClinicalDocument\/id/ },
      run: async () => {
        const pp = await prepared();
        const cda = cdaText(pp).replace(/(<ClinicalDocument[\s\S]*?<id root=")[^"]+(")/, '$11.2.250.1.999.1.77.404$2');
        assert.notEqual(cda, cdaText(pp));
        return send(withCda(pp, Buffer.from(cda)));
      } },
    { name: 'RPLC to an entry the registry does not hold', expect: { kind: 'rejected', code: 'DMP_REPLACED_DOCUMENT_UNKNOWN', answer: /UnresolvedReferenceException/ },
      run: async () => {
        const pp = await prepared();
        const extra = `<rim:Association id="urn:uuid:${randomUUID()}" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="${pp.mainEntryId}" targetObject="urn:uuid:${randomUUID()}"/>`;
        return send({ ...pp, bodyXml: pp.bodyXml.replace('</rim:RegistryObjectList>', `${extra}</rim:RegistryObjectList>`) });
      } },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = sim.store.all().length;
      const out = await c.run();
      assert.equal(out.kind, c.expect.kind, JSON.stringify(out).slice(0, 600));
      if (out.kind !== 'delivered') {
        assert.equal(out.code, c.expect.code, out.message);
      }
      if (out.kind === 'rejected') {
        if (c.expect.retryable !== undefined) {
          assert.equal(out.retryable, c.expect.retryable);
        }
        if (c.expect.answer) {
          assert.match(out.answer ?? '', c.expect.answer);
        }
      }
      assert.equal(sim.store.all().length, before, 'nothing is stored');
    });
  }

  it('a document already registered (XDSDuplicateUniqueIdInRegistry)', async () => {
    const { xml, id } = uniqueCopy('TSH_1');
    assert.equal((await r.submit(request(xml, id))).kind, 'delivered');
    const again = await r.submit(request(xml, id));
    assert.equal(again.kind, 'rejected');
    assert.equal(again.kind === 'rejected' && again.code, 'DMP_DUPLICATE_DOCUMENT');
    assert.equal(again.kind === 'rejected' && again.retryable, false);
    assert.match(again.kind === 'rejected' ? again.answer ?? '' : '', /XDSDuplicateUniqueIdInRegistry/);
  });

  it('patient opposition: nothing is sent', async () => {
    const before = sim.store.all().length;
    const { xml, id } = uniqueCopy('TSH_1');
    const out = await r.submit({ ...request(xml, id), report: report({ patientOpposed: true }) });
    assert.deepEqual([out.kind, out.kind === 'rejected' && out.code], ['rejected', 'DMP_PATIENT_OPPOSED']);
    assert.equal(sim.store.all().length, before);
  });
});
