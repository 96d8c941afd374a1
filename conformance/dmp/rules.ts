/**
 * The rules the simulated DMP enforces on an ITI-41 submission (standards.md §4.4–§4.8). Each broken rule gives
 * an XDS RegistryError; the submission is accepted only when none is found.
 */
import { createHash } from 'node:crypto';
import type { ParsedSubmission, EntryItem } from './ebrim-read.js';
import { UUIDS } from './ebrim-read.js';
import type { CdaFacts, CdaSchema } from './cda-check.js';
import { checkCda } from './cda-check.js';
import { insKeyValid } from './pki-check.js';
import type { SimDocument, SimStore } from './store.js';
import { checkXades } from './xades-check.js';

export interface XdsError {
  readonly errorCode: string;
  readonly codeContext: string;
  readonly location?: string;
}

export interface RuleContext {
  readonly store: SimStore;
  readonly schema?: CdaSchema;
  readonly codeSets: { readonly facility: ReadonlySet<string>; readonly practice: ReadonlySet<string>; readonly confidentiality: ReadonlySet<string> };
  readonly caBundle: string;
  readonly unknownPatients: ReadonlySet<string>;
  readonly now: Date;
}

export type Accepted = { readonly doc: Omit<SimDocument, 'file'>; readonly bytes: Buffer };

const CX_INS = /^([0-9AB]{15})\^\^\^&(1\.2\.250\.1\.213\.1\.4\.(?:8|9|10|11))&ISO\^NH$/;
const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const DTM = /^\d{8}(\d{2}(\d{2}(\d{2})?)?)?$/;
const CRBIO_FORMAT = 'urn:ihe:lab:xd-lab:2008';
const SIG_CLASS = 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1';

const one = (e: EntryItem | { slots: ReadonlyMap<string, readonly string[]> }, name: string): string | undefined => e.slots.get(name)?.[0];

export const checkSubmission = (s: ParsedSubmission, parts: ReadonlyMap<string, Buffer>, vihfPatientCx: string | undefined, ctx: RuleContext): { errors: XdsError[]; accepted: Accepted[] } => {
  const errors: XdsError[] = [];
  const meta = (codeContext: string, location?: string): void => {
    errors.push({ errorCode: 'XDSRegistryMetadataError', codeContext, ...(location ? { location } : {}) });
  };
  const ss = s.submissionSets[0];
  if (s.submissionSets.length !== 1 || !ss) {
    meta('exactly one SubmissionSet (RegistryPackage classified as submission set) is required');
    return { errors, accepted: [] };
  }
  const ssUnique = ss.externalIds.get(UUIDS.ssUnique) ?? '';
  const ssPatient = ss.externalIds.get(UUIDS.ssPatient) ?? '';
  if (!OID.test(ssUnique)) {
    meta('XDSSubmissionSet.uniqueId must be an OID', ss.id);
  }
  if (!OID.test(ss.externalIds.get(UUIDS.ssSource) ?? '')) {
    meta('XDSSubmissionSet.sourceId must be an OID', ss.id);
  }
  if (!DTM.test(one(ss, 'submissionTime') ?? '')) {
    meta('XDSSubmissionSet.submissionTime is required (UTC DTM)', ss.id);
  }
  if (!ss.codes.get(UUIDS.ssContent)?.[0]?.code) {
    meta('XDSSubmissionSet.contentTypeCode is required', ss.id);
  }
  if (ss.authors.length !== 1 || !(ss.authors[0]?.get('authorInstitution')?.length || ss.authors[0]?.get('authorPerson')?.length)) {
    meta('XDSSubmissionSet.author (authorInstitution or authorPerson) is required', ss.id);
  }

  // Patient: a valid INS, known to the DMP, the same everywhere (and in the VIHF).
  const m = CX_INS.exec(ssPatient);
  if (!m || !insKeyValid(m[1] ?? '')) {
    errors.push({ errorCode: 'XDSUnknownPatientId', codeContext: 'patientId is not an INS with a valid key (CX ^^^&OID&ISO^NH)', location: ss.id });
  } else if (ctx.unknownPatients.has(m[1] ?? '')) {
    errors.push({ errorCode: 'XDSUnknownPatientId', codeContext: 'this patient has no open DMP', location: ss.id });
  }
  if (vihfPatientCx !== undefined && vihfPatientCx !== ssPatient) {
    errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'the VIHF resource-id is not the submission patientId' });
  }

  // Entries, documents, associations.
  const uniqueIds = s.entries.map((e) => e.externalIds.get(UUIDS.deUnique) ?? '');
  if (new Set(uniqueIds).size !== uniqueIds.length) {
    errors.push({ errorCode: 'XDSRegistryDuplicateUniqueIdInMessage', codeContext: 'two DocumentEntries share a uniqueId' });
  }
  const docBytes = new Map<string, Buffer>();
  for (const d of s.documents) {
    if (!s.entries.some((e) => e.id === d.id)) {
      errors.push({ errorCode: 'XDSMissingDocumentMetadata', codeContext: `Document ${d.id} has no DocumentEntry`, location: d.id });
    }
    const cid = d.href?.startsWith('cid:') ? decodeURIComponent(d.href.slice(4)) : undefined;
    const bytes = cid ? parts.get(cid) : undefined;
    if (!bytes) {
      errors.push({ errorCode: 'XDSMissingDocument', codeContext: `Document ${d.id} does not reference a MIME part with xop:Include`, location: d.id });
    } else {
      docBytes.set(d.id, bytes);
    }
  }
  const accepted: Accepted[] = [];
  const signatureEntries: EntryItem[] = [];
  const contentEntries: { e: EntryItem; bytes: Buffer }[] = [];
  for (const e of s.entries) {
    const where = e.id;
    const bytes = docBytes.get(e.id);
    if (!s.documents.some((d) => d.id === e.id)) {
      errors.push({ errorCode: 'XDSMissingDocument', codeContext: `DocumentEntry ${e.id} has no Document`, location: where });
    }
    if (e.objectType !== UUIDS.stable) {
      meta('objectType must be the stable DocumentEntry type', where);
    }
    if (e.mimeType !== 'text/xml') {
      meta('mimeType must be text/xml', where);
    }
    for (const slot of ['creationTime', 'hash', 'size', 'languageCode', 'sourcePatientId']) {
      if (!one(e, slot)) {
        meta(`slot ${slot} is required`, where);
      }
    }
    if (one(e, 'creationTime') && !DTM.test(one(e, 'creationTime') ?? '')) {
      meta('creationTime must be a UTC DTM (YYYYMMDDhhmmss)', where);
    }
    if (!e.name) {
      meta('title (Name) is required', where);
    }
    if (e.authors.length === 0) {
      meta('author is required', where);
    }
    const patient = e.externalIds.get(UUIDS.dePatient);
    if (!patient) {
      meta('XDSDocumentEntry.patientId is required', where);
    } else if (patient !== ssPatient) {
      errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'DocumentEntry patientId differs from the SubmissionSet patientId', location: where });
    }
    if (!OID.test((e.externalIds.get(UUIDS.deUnique) ?? '').split('^')[0] ?? '')) {
      meta('XDSDocumentEntry.uniqueId must be an OID (or OID^extension)', where);
    }
    for (const [scheme, label] of [[UUIDS.deClass, 'classCode'], [UUIDS.deType, 'typeCode'], [UUIDS.deFormat, 'formatCode'], [UUIDS.deFacility, 'healthcareFacilityTypeCode'], [UUIDS.dePractice, 'practiceSettingCode']] as const) {
      const list = e.codes.get(scheme) ?? [];
      if (list.length !== 1 || !list[0]?.code || !list[0].scheme) {
        meta(`${label} is required once, with its codingScheme`, where);
      }
    }
    const conf = e.codes.get(UUIDS.deConf) ?? [];
    if (conf.length < 1 || conf.length > 4) {
      meta('confidentialityCode: 1 to 4 codes', where);
    }
    for (const c of conf) {
      if (!ctx.codeSets.confidentiality.has(`${c.code}|${c.scheme}`)) {
        meta(`confidentialityCode ${c.code} is not in JDV_J08`, where);
      }
    }
    const facility = e.codes.get(UUIDS.deFacility)?.[0];
    if (facility && !ctx.codeSets.facility.has(`${facility.code}|${facility.scheme}`)) {
      meta(`healthcareFacilityTypeCode ${facility.code} is not in JDV_J02`, where);
    }
    const practice = e.codes.get(UUIDS.dePractice)?.[0];
    if (practice && !ctx.codeSets.practice.has(`${practice.code}|${practice.scheme}`)) {
      meta(`practiceSettingCode ${practice.code} is not in JDV_J04`, where);
    }
    if (bytes) {
      const hash = (one(e, 'hash') ?? '').toLowerCase();
      if (hash && createHash('sha1').update(bytes).digest('hex') !== hash) {
        errors.push({ errorCode: 'XDSNonIdenticalHash', codeContext: 'hash is not the SHA-1 of the document', location: where });
      }
      if (one(e, 'size') && Number(one(e, 'size')) !== bytes.byteLength) {
        errors.push({ errorCode: 'XDSRepositoryMetadataError', codeContext: 'size is not the byte length of the document', location: where });
      }
    }
    const cls = e.codes.get(UUIDS.deClass)?.[0];
    const format = e.codes.get(UUIDS.deFormat)?.[0];
    if (cls?.code === SIG_CLASS) {
      signatureEntries.push(e);
    } else if (format?.code === CRBIO_FORMAT) {
      if (cls?.code !== '10' || cls.scheme !== '1.2.250.1.213.1.1.4.1') {
        meta('a CR-BIO has classCode 10 (1.2.250.1.213.1.1.4.1)', where);
      }
      const type = e.codes.get(UUIDS.deType)?.[0];
      if (type?.code !== '11502-2' || type.scheme !== '2.16.840.1.113883.6.1') {
        meta('a CR-BIO has typeCode 11502-2 (LOINC)', where);
      }
      if (format.scheme !== '1.3.6.1.4.1.19376.1.2.3') {
        meta('formatCode urn:ihe:lab:xd-lab:2008 has codingScheme 1.3.6.1.4.1.19376.1.2.3', where);
      }
      for (const slot of ['serviceStartTime', 'legalAuthenticator']) {
        if (!one(e, slot)) {
          meta(`slot ${slot} is required for a CR-BIO`, where);
        }
      }
      if (bytes) {
        contentEntries.push({ e, bytes });
      }
    } else {
      meta(`formatCode ${format?.code ?? '(none)'} is not accepted (CR-BIO or signature only)`, where);
    }
    if (ctx.store.byUniqueId(e.externalIds.get(UUIDS.deUnique) ?? '')) {
      errors.push({ errorCode: 'XDSDuplicateUniqueIdInRegistry', codeContext: 'a document with this uniqueId is already registered', location: where });
    }
  }
  for (const e of s.entries) {
    if (!s.associations.some((a) => a.type === UUIDS.hasMember && a.source === ss.id && a.target === e.id)) {
      meta(`no HasMember association from the SubmissionSet to ${e.id}`, e.id);
    }
  }

  // The CDA itself: XSD, its INS equals patientId, its id equals uniqueId.
  const facts = new Map<string, CdaFacts>();
  for (const { e, bytes } of contentEntries) {
    const checked = checkCda(bytes, ctx.schema);
    if (typeof checked === 'string') {
      errors.push({ errorCode: 'XDSRepositoryMetadataError', codeContext: checked, location: e.id });
      continue;
    }
    const f = checked.facts;
    facts.set(e.id, f);
    if (checked.xsd.length > 0) {
      errors.push({ errorCode: 'XDSRepositoryMetadataError', codeContext: `the CDA is not valid against CDA_extended.xsd: ${checked.xsd[0] ?? ''}`.slice(0, 400), location: e.id });
    }
    const cx = f.ins ? `${f.ins.value}^^^&${f.ins.oid}&ISO^NH` : undefined;
    if (cx !== e.externalIds.get(UUIDS.dePatient)) {
      errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: "patientId is not the CDA's INS (recordTarget/patientRole/id)", location: e.id });
    }
    if (f.id !== e.externalIds.get(UUIDS.deUnique)) {
      meta('uniqueId is not the CDA ClinicalDocument/id', e.id);
    }
  }

  // The submission-set signature.
  const signs = s.associations.filter((a) => a.type === UUIDS.signs);
  const sigEntry = signatureEntries[0];
  let signatureVerified = false;
  if (signatureEntries.length !== 1 || !sigEntry || signs.length !== 1 || signs[0]?.source !== sigEntry.id || signs[0].target !== ss.id) {
    meta('the submission set must be signed: one signature DocumentEntry with a signs association to the SubmissionSet');
  } else {
    const sigBytes = docBytes.get(sigEntry.id);
    if (sigBytes) {
      const problems = checkXades(sigBytes.toString('utf8'), {
        signatureUniqueId: sigEntry.externalIds.get(UUIDS.deUnique) ?? '',
        submissionSetUniqueId: ssUnique,
        documents: contentEntries.map(({ e, bytes }) => ({ uniqueId: e.externalIds.get(UUIDS.deUnique) ?? '', bytes })),
        caBundle: ctx.caBundle,
        now: ctx.now,
      });
      problems.forEach((p) => meta(`submission-set signature: ${p}`, sigEntry.id));
      signatureVerified = problems.length === 0;
    }
  }

  // Replacement (RPLC).
  const replaces = new Map<string, string>();
  for (const a of s.associations.filter((x) => x.type === UUIDS.rplc)) {
    const target = ctx.store.byEntryUuid(a.target);
    if (!target) {
      errors.push({ errorCode: 'urn:oasis:names:tc:ebxml-regrep:ErrorCode:UnresolvedReferenceException', codeContext: 'the RPLC target is not in the registry', location: a.id });
    } else if (target.status === 'deprecated') {
      errors.push({ errorCode: 'XDSRegistryDeprecatedDocumentError', codeContext: 'the RPLC target is deprecated (already replaced)', location: a.id });
    } else if (target.patientId !== ssPatient) {
      errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'the RPLC target belongs to another patient', location: a.id });
    } else {
      replaces.set(a.source, target.entryUuid);
    }
  }

  if (errors.length > 0) {
    return { errors, accepted: [] };
  }
  for (const { e, bytes } of [...contentEntries, ...(sigEntry ? [{ e: sigEntry, bytes: docBytes.get(sigEntry.id) ?? Buffer.alloc(0) }] : [])]) {
    const cda = facts.get(e.id);
    const rep = replaces.get(e.id);
    accepted.push({
      bytes,
      doc: {
        entryUuid: e.id.startsWith('urn:uuid:') ? e.id : `urn:uuid:${createHash('sha1').update(`${ssUnique}/${e.id}`).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}`,
        uniqueId: e.externalIds.get(UUIDS.deUnique) ?? '',
        ...(cda?.setId ? { setId: cda.setId } : {}),
        ...(cda?.versionNumber !== undefined ? { versionNumber: cda.versionNumber } : {}),
        patientIns: CX_INS.exec(ssPatient)?.[1] ?? '',
        patientId: ssPatient,
        status: 'approved',
        receivedAt: ctx.now.toISOString(),
        ...(rep ? { replaces: rep } : {}),
        submissionSetUniqueId: ssUnique,
        hash: one(e, 'hash') ?? '',
        size: bytes.byteLength,
        confidentialityCodes: (e.codes.get(UUIDS.deConf) ?? []).map((c) => c.code),
        title: e.name,
        route: 'xds',
        signatureVerified,
      },
    });
  }
  return { errors, accepted };
};
