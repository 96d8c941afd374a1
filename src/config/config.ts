import { parse as parseYaml } from 'yaml';
import { GatewayError } from '../core/errors/index.js';
import { issue, type Issue } from '../core/validation/issue.js';
import { settings, type Setting } from './settings.js';

export interface Config {
  readonly mode: 'sandbox' | 'production';
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number; readonly trustProxy: boolean; readonly tlsP12?: string; readonly tlsPort: number };
  readonly mllp: { readonly enabled: boolean; readonly host: string; readonly port: number; readonly maxMessageBytes: number; readonly acknowledgement: 'auto' | 'original' };
  readonly storage: {
    readonly engine: 'sqlite' | 'postgres';
    readonly sqlitePath: string;
    readonly databaseUrl?: string;
    readonly schema: string;
  };
  readonly log: { readonly level: string };
  readonly ins: { readonly acceptedOids: readonly string[]; readonly requireEvidence: boolean };
  readonly ansKit?: string;
  readonly conformance: { readonly schematron: boolean };
  readonly pki: { readonly dir: string; readonly passphrase?: string };
  readonly lab: {
    readonly name?: string;
    readonly finess?: string;
    readonly oid?: string;
    readonly street?: string;
    readonly postalCode?: string;
    readonly city?: string;
    readonly phone?: string;
    readonly practiceSetting: 'AMBULATOIRE' | 'ETABLISSEMENT';
    readonly cofrac?: string;
    readonly softwareName: string;
  };
  readonly dmp: {
    readonly route: 'xds' | 'mhd';
    readonly endpoint?: string;
    // Issue 6: DMP delivery (src/adapters/dmp/factory.ts reads these).
    readonly timeoutMs: number;
    readonly repositoryPath: string;
    readonly registryPath: string;
    readonly authP12?: string;
    readonly signP12?: string;
    readonly trustBundle?: string;
    readonly vihfVersion: '3.0' | '4.0';
    readonly signatureDigest: 'sha256' | 'sha1';
    readonly signatureFormatCode: 'http://www.w3.org/2000/09/xmldsig#' | 'urn:ihe:iti:dsg:detached:2014';
    readonly authnContextClassRef: string;
    readonly responsibleId?: string;
    readonly subjectName: string;
    readonly sectorOfActivity: string;
    readonly role: string;
    readonly lpsName: string;
    readonly lpsVersion: string;
    readonly lpsHomologation?: string;
    readonly sourceId?: string;
    readonly contentTypeCode: string;
    readonly patientIdOid?: string;
    readonly lookupInsOid: string;
    readonly visibilityRules: readonly string[];
  };
  readonly insi: { readonly endpoint?: string; readonly idam?: string; readonly clientP12?: string; readonly trustBundle?: string; readonly timeoutMs: number };
  readonly audit: { readonly subjectKey?: string; readonly signatureP12?: string; readonly checkpointIntervalSeconds: number };
  readonly outbox: {
    readonly enabled: boolean;
    readonly pollMs: number;
    readonly concurrency: number;
    readonly maxPerSecond: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    readonly maxAttempts: number;
    readonly maxAgeHours: number;
    readonly breakerThreshold: number;
    readonly breakerCooldownMs: number;
    /** Build and check documents in a worker thread (outbox.documentWorker). */
    readonly documentWorker: boolean;
  };
  readonly retention: { readonly days: number };
  readonly sil: {
    readonly clientCertFingerprints: readonly string[];
    /** Where the DMP receipts (ZAM^Z01) go; not sent while host or port is unset. */
    readonly receipts: { readonly host?: string; readonly port?: number; readonly timeoutMs: number; readonly maxAttempts: number };
  };
  readonly ui: { readonly enabled: boolean };
}

export interface ConfigSources {
  /** The process environment (only DMP_GATEWAY_* keys are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Content of the --config file, JSON or YAML, and its name for messages. */
  readonly file?: { readonly name: string; readonly text: string };
  /** --sandbox on the command line. */
  readonly sandbox?: boolean;
}

type Raw = unknown;

const getPath = (obj: unknown, key: string): unknown => {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
};

const setPath = (obj: Record<string, unknown>, key: string, value: unknown): void => {
  const parts = key.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === undefined || next === null || typeof next !== 'object') {
      cur[part] = {};
    }
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
};

/** Every leaf key present in a file, to report unknown ones. */
const leafKeys = (obj: unknown, prefix = ''): string[] => {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return prefix ? [prefix] : [];
  }
  return Object.entries(obj).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
};

const coerce = (s: Setting, raw: Raw, where: string, issues: Issue[]): unknown => {
  const bad = (why: string): undefined => {
    issues.push(issue('error', 'CONFIG_INVALID', s.key, `${where}: ${why}`));
    return undefined;
  };
  const t = s.type;
  switch (t.kind) {
    case 'string': {
      if (typeof raw !== 'string' || raw.trim() === '') {
        return bad('expected a non-empty string');
      }
      if (t.pattern && !t.pattern.test(raw)) {
        return bad(`expected ${t.patternHint ?? String(t.pattern)}`);
      }
      return raw;
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n)) {
        return bad('expected a whole number');
      }
      if (n < t.min || n > t.max) {
        return bad(`expected a number from ${t.min} to ${t.max}, got ${n}`);
      }
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') {
        return raw;
      }
      if (typeof raw === 'string' && /^(true|false|1|0|yes|no)$/i.test(raw.trim())) {
        return /^(true|1|yes)$/i.test(raw.trim());
      }
      return bad('expected true or false');
    }
    case 'enum': {
      if (typeof raw !== 'string' || !t.values.includes(raw)) {
        return bad(`expected one of ${t.values.join(', ')}`);
      }
      return raw;
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((x) => x.trim()).filter((x) => x !== '') : null;
      if (!items || !items.every((x): x is string => typeof x === 'string' && x.length > 0)) {
        return bad('expected a list of strings (comma-separated in the environment)');
      }
      return items;
    }
    case 'url': {
      if (typeof raw !== 'string') {
        return bad('expected a URL');
      }
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return bad('expected a URL');
      }
      if (!t.protocols.includes(u.protocol)) {
        return bad(`expected a URL starting with ${t.protocols.join(' or ')}`);
      }
      return raw;
    }
  }
};

/**
 * Builds the configuration: defaults < file < environment. Every problem is collected; if any, a
 * CONFIG_INVALID error lists them all. The result is deeply frozen and passed in; no module reads
 * process.env itself.
 */
export function loadConfig(sources: ConfigSources): Config {
  const issues: Issue[] = [];
  let fileObj: unknown = {};
  if (sources.file) {
    try {
      fileObj = parseYaml(sources.file.text) ?? {};
    } catch (e) {
      issues.push(issue('error', 'CONFIG_INVALID', sources.file.name, `cannot be read as JSON or YAML: ${(e as Error).message.split('\n')[0] ?? ''}`));
      fileObj = {};
    }
    if (fileObj === null || typeof fileObj !== 'object' || Array.isArray(fileObj)) {
      issues.push(issue('error', 'CONFIG_INVALID', sources.file.name, 'must hold an object of settings'));
      fileObj = {};
    }
    const known = new Set(settings.map((s) => s.key));
    for (const k of leafKeys(fileObj)) {
      if (!known.has(k) && !settings.some((s) => s.type.kind === 'list' && k.startsWith(`${s.key}.`))) {
        issues.push(issue('error', 'CONFIG_INVALID', k, `${sources.file.name}: unknown setting`));
      }
    }
  }
  for (const name of Object.keys(sources.env)) {
    if (name.startsWith('DMP_GATEWAY_') && !settings.some((s) => s.env === name)) {
      issues.push(issue('error', 'CONFIG_INVALID', name, 'unknown environment variable'));
    }
  }

  // Mode first: it selects the defaults of the others.
  const modeFromEnv = sources.env['DMP_GATEWAY_MODE'];
  const modeFromFile = getPath(fileObj, 'mode');
  const sandbox = sources.sandbox === true || modeFromEnv === 'sandbox' || (modeFromEnv === undefined && modeFromFile === 'sandbox');

  const out: Record<string, unknown> = {};
  for (const s of settings) {
    const fromEnv = sources.env[s.env];
    const fromFile = getPath(fileObj, s.key);
    let value: unknown;
    if (fromEnv !== undefined && fromEnv !== '') {
      value = coerce(s, fromEnv, s.env, issues);
    } else if (fromFile !== undefined) {
      value = coerce(s, fromFile, sources.file?.name ?? 'file', issues);
    } else {
      value = sandbox && s.sandboxDefault !== undefined ? s.sandboxDefault : s.default;
    }
    if (value !== undefined) {
      setPath(out, s.key, value);
    } else if (s.key.includes('.')) {
      // Groups always exist, even when none of their settings has a value.
      const group = s.key.slice(0, s.key.lastIndexOf('.'));
      if (getPath(out, group) === undefined) {
        setPath(out, group, {});
      }
    }
  }
  if (sources.sandbox === true) {
    setPath(out, 'mode', 'sandbox');
  }
  const dataDir = (getPath(out, 'dataDir') as string | undefined) ?? './data';
  if (getPath(out, 'storage.sqlitePath') === undefined) {
    setPath(out, 'storage.sqlitePath', `${dataDir}/gateway.db`);
  }
  if (getPath(out, 'pki.dir') === undefined) {
    setPath(out, 'pki.dir', `${dataDir}/pki`);
  }
  if (getPath(out, 'storage.databaseUrl') !== undefined && sources.env['DMP_GATEWAY_STORAGE_ENGINE'] === undefined && getPath(fileObj, 'storage.engine') === undefined) {
    setPath(out, 'storage.engine', 'postgres');
  }

  // Rules across settings.
  if (getPath(out, 'storage.engine') === 'postgres' && getPath(out, 'storage.databaseUrl') === undefined) {
    issues.push(issue('error', 'CONFIG_INVALID', 'storage.databaseUrl', 'storage.engine is postgres but DMP_GATEWAY_DATABASE_URL is not set'));
  }
  if ((getPath(out, 'sil.receipts.host') === undefined) !== (getPath(out, 'sil.receipts.port') === undefined)) {
    const missing = getPath(out, 'sil.receipts.host') === undefined ? 'sil.receipts.host' : 'sil.receipts.port';
    issues.push(issue('error', 'CONFIG_INVALID', missing, 'sil.receipts.host and sil.receipts.port go together: set both, or neither'));
  }
  const accepted = (getPath(out, 'ins.acceptedOids') as string[] | undefined) ?? [];
  if (getPath(out, 'mode') === 'production') {
    for (const testOid of ['1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11']) {
      if (accepted.includes(testOid)) {
        issues.push(issue('error', 'CONFIG_INVALID', 'ins.acceptedOids', `production mode cannot accept the test INS OID ${testOid}`));
      }
    }
    for (const required of ['lab.name', 'lab.finess', 'lab.oid', 'dmp.endpoint', 'audit.subjectKey']) {
      if (getPath(out, required) === undefined) {
        const s = settings.find((x) => x.key === required);
        issues.push(issue('error', 'CONFIG_INVALID', required, `required in production mode (${s?.env ?? required})`));
      }
    }
  }

  if (issues.length > 0) {
    throw new GatewayError('CONFIG_INVALID', `The configuration has ${issues.length} problem(s).`, { issues });
  }
  return deepFreeze(out) as unknown as Config;
}

const deepFreeze = <T>(o: T): T => {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) {
      deepFreeze(v);
    }
    Object.freeze(o);
  }
  return o;
};

/** A copy safe to show (secrets masked), for `config show` and the audit of configuration changes. */
export const redactedConfig = (config: Config): Record<string, unknown> => {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const s of settings) {
    if (s.secret && getPath(copy, s.key) !== undefined) {
      setPath(copy, s.key, '***');
    }
  }
  return copy;
};
