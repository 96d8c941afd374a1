/**
 * ITI-65 Provide Document Bundle (PDSm comprehensive; standards.md §4.9) on the simulated DMP: the transaction
 * Bundle must hold one SubmissionSet List, DocumentReferences and the Binary they point to, with matching
 * hash/size, an INS subject with a valid key, CR-BIO codes, and a replaced document that exists and is current.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkCda } from './cda-check.js';
import { insKeyValid } from './pki-check.js';
import type { Accepted, RuleContext } from './rules.js';
import type { Fault } from './server.js';

interface Outcome {
  readonly status: string;
  readonly issues: { readonly code: string; readonly diagnostics: string; readonly expression?: string }[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const outcome = (res: ServerResponse, status: number, o: Outcome): void => {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: o.issues.map((i) => ({ severity: 'error', code: i.code, diagnostics: i.diagnostics, ...(i.expression ? { expression: [i.expression] } : {}) })) }));
};

export const handleMhd = async (req: IncomingMessage, res: ServerResponse, body: Buffer, env: {
  ctx: RuleContext; serial: <T>(fn: () => Promise<T>) => Promise<T>; fault: Fault | undefined; hold: (res: ServerResponse) => void;
}): Promise<void> => {
  if (!/application\/fhir\+json/i.test(req.headers['content-type'] ?? '')) {
    outcome(res, 415, { status: '415', issues: [{ code: 'not-supported', diagnostics: 'ITI-65 takes application/fhir+json' }] });
    return;
  }
  if (env.fault?.kind === 'xds') {
    outcome(res, 422, { status: '422', issues: [{ code: 'processing', diagnostics: `${env.fault.errorCode ?? 'XDSRegistryError'}: injected fault` }] });
    return;
  }
  let bundle: Json;
  try {
    bundle = obj(JSON.parse(body.toString('utf8')));
  } catch {
    outcome(res, 400, { status: '400', issues: [{ code: 'structure', diagnostics: 'the body is not JSON' }] });
    return;
  }
  const problems: Outcome['issues'] = [];
  const bad = (code: string, diagnostics: string, expression?: string): void => {
    problems.push({ code, diagnostics, ...(expression ? { expression } : {}) });
  };
  if (bundle['resourceType'] !== 'Bundle' || bundle['type'] !== 'transaction') {
    bad('structure', 'a Bundle of type transaction is required', 'Bundle.type');
  }
  const entries = arr(bundle['entry']).map(obj);
  const byUrl = new Map(entries.map((e) => [str(e['fullUrl']), obj(e['resource'])]));
  const lists = entries.map((e) => obj(e['resource'])).filter((r) => r['resourceType'] === 'List'
    && arr(obj(r['code'])['coding']).some((c) => str(obj(c)['code']) === 'submissionset'));
  const refs = entries.map((e, i) => ({ r: obj(e['resource']), i })).filter(({ r }) => r['resourceType'] === 'DocumentReference');
  if (lists.length !== 1) {
    bad('required', 'exactly one SubmissionSet List is required', 'Bundle.entry');
  }
  if (refs.length === 0) {
    bad('required', 'at least one DocumentReference is required', 'Bundle.entry');
  }
  const ss = lists[0] ?? {};
  const ssPatient = str(obj(obj(ss['subject'])['identifier'])['value']);
  const accepted: Accepted[] = [];
  const ctx = env.ctx;
  for (const { r, i } of refs) {
    const at = `Bundle.entry[${i}].resource`;
    const master = str(obj(r['masterIdentifier'])['value']).replace(/^urn:oid:/, '');
    if (!master) {
      bad('required', 'masterIdentifier (uniqueId) is required', `${at}.masterIdentifier`);
    } else if (ctx.store.byUniqueId(master)) {
      bad('duplicate', 'XDSDuplicateUniqueIdInRegistry: a document with this uniqueId is already registered', `${at}.masterIdentifier`);
    }
    if (r['status'] !== 'current') {
      bad('value', 'status must be current', `${at}.status`);
    }
    const subj = obj(obj(r['subject'])['identifier']);
    const ins = str(subj['value']);
    const insOid = str(subj['system']).replace(/^urn:oid:/, '');
    if (!insKeyValid(ins) || !['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'].includes(insOid)) {
      bad('value', 'XDSUnknownPatientId: subject must be an INS with a valid key', `${at}.subject`);
    } else if (ctx.unknownPatients.has(ins)) {
      bad('not-found', 'XDSUnknownPatientId: this patient has no open DMP', `${at}.subject`);
    }
    if (ssPatient && ins !== ssPatient) {
      bad('value', 'XDSPatientIdDoesNotMatch: DocumentReference and SubmissionSet subjects differ', `${at}.subject`);
    }
    const type = arr(obj(r['type'])['coding']).map(obj)[0] ?? {};
    if (type['code'] !== '11502-2' || type['system'] !== 'http://loinc.org') {
      bad('value', 'type must be LOINC 11502-2', `${at}.type`);
    }
    if (!arr(r['category']).some((c) => arr(obj(c)['coding']).some((x) => str(obj(x)['code']) === '10'))) {
      bad('value', 'category must hold class 10 (Compte rendu)', `${at}.category`);
    }
    if (!r['date'] || arr(r['author']).length === 0 || !r['custodian']) {
      bad('required', 'date, author and custodian are required', at);
    }
    const content = obj(arr(r['content'])[0]);
    const att = obj(content['attachment']);
    if (str(obj(content['format'])['code']) !== 'urn:ihe:lab:xd-lab:2008') {
      bad('value', 'content.format must be urn:ihe:lab:xd-lab:2008', `${at}.content[0].format`);
    }
    const binary = byUrl.get(str(att['url']));
    const data = binary?.['resourceType'] === 'Binary' ? Buffer.from(str(binary['data']), 'base64') : undefined;
    if (!data) {
      bad('required', 'content.attachment.url must point to a Binary of the Bundle', `${at}.content[0].attachment.url`);
      continue;
    }
    if (str(att['hash']) !== createHash('sha1').update(data).digest('base64')) {
      bad('value', 'XDSNonIdenticalHash: attachment.hash is not the SHA-1 (base64) of the Binary', `${at}.content[0].attachment.hash`);
    }
    if (att['size'] !== data.byteLength) {
      bad('value', 'attachment.size is not the Binary length', `${at}.content[0].attachment.size`);
    }
    if (!att['title'] || !obj(obj(r['context'])['period'])['start']) {
      bad('required', 'attachment.title and context.period.start are required', at);
    }
    for (const l of arr(r['securityLabel']).flatMap((s) => arr(obj(s)['coding'])).map(obj)) {
      const sys = str(l['system']).replace(/^urn:oid:/, '');
      if (!ctx.codeSets.confidentiality.has(`${str(l['code'])}|${sys}`)) {
        bad('value', `securityLabel ${str(l['code'])} is not in JDV_J08`, `${at}.securityLabel`);
      }
    }
    const checked = checkCda(data, ctx.schema);
    if (typeof checked === 'string') {
      bad('invalid', checked, `${at}.content[0]`);
      continue;
    }
    const { facts, xsd } = checked;
    if (xsd.length > 0) {
      bad('invalid', `the CDA is not valid against CDA_extended.xsd: ${xsd[0] ?? ''}`, `${at}.content[0]`);
    }
    if (facts.ins?.value !== ins) {
      bad('value', "XDSPatientIdDoesNotMatch: subject is not the CDA's INS", `${at}.subject`);
    }
    let replaces: string | undefined;
    for (const rel of arr(r['relatesTo']).map(obj).filter((x) => x['code'] === 'replaces')) {
      const targetId = str(obj(obj(rel['target'])['identifier'])['value']).replace(/^urn:oid:/, '');
      const target = ctx.store.byUniqueId(targetId);
      if (!target) {
        bad('not-found', 'UnresolvedReferenceException: the replaced document is not registered', `${at}.relatesTo`);
      } else if (target.status === 'deprecated') {
        bad('business-rule', 'XDSRegistryDeprecatedDocumentError: the replaced document is deprecated', `${at}.relatesTo`);
      } else {
        replaces = target.entryUuid;
      }
    }
    accepted.push({ bytes: data, doc: {
      entryUuid: `urn:uuid:${randomUUID()}`, uniqueId: master, ...(facts.setId ? { setId: facts.setId } : {}), ...(facts.versionNumber !== undefined ? { versionNumber: facts.versionNumber } : {}),
      patientIns: ins, patientId: `${ins}^^^&${insOid}&ISO^NH`, status: 'approved', receivedAt: ctx.now.toISOString(), ...(replaces ? { replaces } : {}),
      submissionSetUniqueId: str(arr(ss['identifier']).map(obj)[0]?.['value']), hash: createHash('sha1').update(data).digest('hex'), size: data.byteLength,
      confidentialityCodes: arr(r['securityLabel']).flatMap((s) => arr(obj(s)['coding'])).map((c) => str(obj(c)['code'])), title: str(att['title']), route: 'mhd', signatureVerified: false,
    } });
  }
  if (problems.length > 0) {
    outcome(res, 422, { status: '422', issues: problems });
    return;
  }
  await env.serial(() => Promise.resolve(ctx.store.commit(accepted, new Date())));
  if (env.fault?.kind === 'lost_answer') {
    env.hold(res);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: entries.map((e) => {
    const r = obj(e['resource']);
    const a = r['resourceType'] === 'DocumentReference' ? accepted.find((x) => x.doc.uniqueId === str(obj(r['masterIdentifier'])['value']).replace(/^urn:oid:/, '')) : undefined;
    return { response: { status: '201 Created', ...(a ? { location: `DocumentReference/${a.doc.entryUuid.replace('urn:uuid:', '')}` } : {}) } };
  }) }));
};
