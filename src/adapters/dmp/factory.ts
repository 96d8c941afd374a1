/**
 * Builds the configured DMP route (dmp.route: xds | mhd) from the Config: reads the structure's PKCS#12 files
 * and the trust bundle, and checks that every setting the route needs is there (all problems at once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import type { Clock, DmpRoute, Ids } from '../../app/ports.js';
import { GatewayError } from '../../core/errors/index.js';
import { issue, type Issue } from '../../core/validation/issue.js';
import { parseVisibilityRules, type XdsCode } from '../../core/xds/index.js';
import { loadPkcs12Identity } from '../signing/keystore.js';
import { MhdDmpRoute } from './mhd-route.js';
import { XdsDmpRoute } from './xds-route.js';

/** `CODE^OID[^display]` → an XDS code. */
const codeOf = (raw: string, key: string, issues: Issue[]): XdsCode => {
  const [code, codingScheme, display] = raw.split('^');
  if (!code || !codingScheme || !/^[0-2](\.\d+)+$/.test(codingScheme)) {
    issues.push(issue('error', 'CONFIG_INVALID', key, 'expected CODE^OID[^display]'));
  }
  return { code: code ?? '', codingScheme: codingScheme ?? '', display: display ?? code ?? '' };
};

export interface DmpRouteDeps {
  readonly clock: Clock;
  readonly ids: Ids;
  /** Reads a file (tests may pass their own). */
  readonly readFile?: (path: string) => Buffer;
  /** Awaited right before each request to the DMP leaves (rate limit). */
  readonly beforeRequest?: () => Promise<void>;
}

export const createDmpRoute = (config: Config, deps: DmpRouteDeps): DmpRoute & { close?: () => Promise<void> } => {
  const read = deps.readFile ?? ((p: string) => readFileSync(p));
  const d = config.dmp;
  const issues: Issue[] = [];
  const need = (value: unknown, key: string, why: string): void => {
    if (value === undefined || value === '') {
      issues.push(issue('error', 'DMP_NOT_CONFIGURED', key, why));
    }
  };
  need(d.endpoint, 'dmp.endpoint', 'the DMP endpoint is required');
  need(config.pki.passphrase, 'pki.passphrase', 'the passphrase of the structure certificates is required');
  need(config.lab.finess, 'lab.finess', 'the FINESS gives Identifiant_Structure (1 + FINESS)');
  need(d.sourceId ?? config.lab.oid, 'dmp.sourceId', 'the sourceId (or lab.oid) is required');
  if (d.route === 'xds') {
    need(d.responsibleId, 'dmp.responsibleId', 'the VIHF NameID (person responsible for the processing) is required');
    need(d.lpsHomologation, 'dmp.lpsHomologation', 'the DMP homologation number (LPS_ID_HOMOLOGATION_DMP) is required');
  }
  const { rules, issues: ruleIssues } = parseVisibilityRules(d.visibilityRules);
  issues.push(...ruleIssues);
  const contentTypeCode = codeOf(d.contentTypeCode, 'dmp.contentTypeCode', issues);
  const role = codeOf(d.role, 'dmp.role', issues);
  if (issues.length > 0) {
    throw new GatewayError('DMP_NOT_CONFIGURED', `The DMP route has ${issues.length} configuration problem(s).`, { issues });
  }
  const now = deps.clock.now();
  const pass = config.pki.passphrase ?? '';
  const file = (path: string, what: string): Buffer => {
    try {
      return read(path);
    } catch (e) {
      throw new GatewayError('DMP_CERTIFICATE_UNUSABLE', `The ${what} file cannot be read (${path}).`, { cause: e });
    }
  };
  const auth = loadPkcs12Identity(file(d.authP12 ?? join(config.pki.dir, 'structureAuth.p12'), 'authentication PKCS#12'), pass, now, 'authentication');
  const tls = { keyPem: auth.keyPem, certChainPem: auth.chainPem.join(''), caPem: file(d.trustBundle ?? join(config.pki.dir, 'ca-bundle.pem'), 'DMP trust bundle').toString('utf8') };
  const xds = {
    sourceId: d.sourceId ?? config.lab.oid ?? '',
    contentTypeCode,
    ...(d.patientIdOid ? { patientIdOid: d.patientIdOid } : {}),
  };
  const endpoint = d.endpoint ?? '';
  if (d.route === 'mhd') {
    return new MhdDmpRoute({ endpoint, tls, xds, visibilityRules: rules, timeoutMs: d.timeoutMs, clock: deps.clock, ids: deps.ids, ...(deps.beforeRequest ? { beforeRequest: deps.beforeRequest } : {}) });
  }
  const signer = loadPkcs12Identity(file(d.signP12 ?? join(config.pki.dir, 'structureSign.p12'), 'signature PKCS#12'), pass, now, 'signature');
  return new XdsDmpRoute({
    endpoint,
    repositoryPath: d.repositoryPath,
    registryPath: d.registryPath,
    tls,
    signer,
    vihf: {
      version: d.vihfVersion,
      nameId: d.responsibleId ?? '',
      subjectName: d.subjectName,
      structureId: `1${config.lab.finess ?? ''}`,
      sectorOfActivity: d.sectorOfActivity,
      roles: [{ code: role.code, codeSystem: role.codingScheme, displayName: role.display }],
      authenticationMode: 'INDIRECTE',
      authnContextClassRef: d.authnContextClassRef,
      lpsName: d.lpsName,
      lpsVersion: d.lpsVersion,
      lpsHomologation: d.lpsHomologation ?? '',
      digest: d.signatureDigest,
    },
    xds,
    signatureFormatCode: d.signatureFormatCode,
    digest: d.signatureDigest,
    visibilityRules: rules,
    timeoutMs: d.timeoutMs,
    defaultInsOid: d.lookupInsOid,
    clock: deps.clock,
    ids: deps.ids,
    ...(deps.beforeRequest ? { beforeRequest: deps.beforeRequest } : {}),
  });
};
