import { readFileSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Command, Io } from '../command.js';
import { UsageError } from '../command.js';
import { configFromCli } from '../load-config.js';
import { checkNir } from '../../core/ins/nir.js';
import { checkInsOid, insKindOfOid } from '../../core/ins/oids.js';
import { GatewayError } from '../../core/errors/index.js';
import { parseCheckCsv, parseCheckJson } from '../../app/identity-check-input.js';
import { checkResultsToCsv, runInsChecks } from '../../app/identity-checks.js';
import { openInsi } from '../../adapters/insi/setup.js';
import { hasErrors } from '../../core/validation/issue.js';

const HELP = `Usage: dmp-gateway ins nir VALUE [--oid OID]
       dmp-gateway ins check FILE.csv|FILE.json [--out FILE] [--format csv|json] [--config FILE] [--sandbox]

ins nir     Checks a NIR or NIA (13 characters + 2-digit key; spaces ignored) and prints JSON:
            {valid, reason, problems, notes, normalized, expectedKey, parts}. With --oid, also says whether
            the OID is an INS OID. Exit code 0 when valid, 1 otherwise.
ins check   Automated INS qualification checks: asks INSi (the in-process simulator in sandbox) for each
            identity and prints, per identity, the INSi answer code, the INS returned, each trait's verdict
            with its reason and the recommendation (CAN_BECOME_RECUP, CAN_BECOME_QUAL, ALREADY_QUALIFIED,
            MISMATCH, NEEDS_REVIEW, NOT_FOUND, SEVERAL_FOUND, NOT_QUERIED, ERROR). The gateway never changes
            a status: QUAL needs the ID-document check done at reception.
            Input columns (CSV header or JSON keys): id, birthName, birthGivenNames, firstGivenName, sex,
            birthDate (YYYY-MM-DD or DD/MM/YYYY), birthPlaceCog, usedName, status, attributes (DOUT FICT
            HOMONYME), evidence (ID document type), ins. French names (nomNaissance, prenoms, sexe,
            dateNaissance, lieuNaissance, statut) are accepted. DOUT/FICT identities are never sent to INSi.
            Output: CSV (default for a .csv input or --out *.csv) or JSON.`;

const writeOrPrint = (io: Io, out: string | undefined, text: string): void => {
  if (out) {
    writeFileSync(resolve(io.cwd, out), text);
    io.err(`written to ${out}`);
  } else {
    io.out(text.replace(/\n$/, ''));
  }
};

const runNir = (positionals: string[], values: Record<string, unknown>, io: Io): number => {
  const value = positionals.join(' ');
  if (value.trim() === '') {
    throw new UsageError('ins nir needs a VALUE');
  }
  const r = checkNir(value);
  const oid = typeof values['oid'] === 'string' ? values['oid'] : undefined;
  const oidInfo = oid === undefined ? {} : { oid: { value: oid, kind: insKindOfOid(oid) ?? null, ...(() => { const c = checkInsOid(oid, [oid]); return c.ok ? { ok: true } : { ok: false, reason: c.reason }; })() } };
  const valid = r.valid && (oid === undefined || insKindOfOid(oid) !== undefined);
  io.out(JSON.stringify({ ...r, valid, ...oidInfo }, null, 2));
  return valid ? 0 : 1;
};

const runCheck = async (positionals: string[], values: Record<string, unknown>, io: Io): Promise<number> => {
  const file = positionals[0];
  if (!file) {
    throw new UsageError('ins check needs a FILE (.csv or .json)');
  }
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch {
    throw new GatewayError('INS_CHECK_INPUT_INVALID', `Cannot read ${file}.`);
  }
  const isJson = extname(file).toLowerCase() === '.json';
  let parsed;
  if (isJson) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new GatewayError('INS_CHECK_INPUT_INVALID', `${file} is not valid JSON.`);
    }
    parsed = parseCheckJson(value);
  } else {
    parsed = parseCheckCsv(text);
  }
  for (const i of parsed.issues) {
    io.err(`${i.severity} ${i.code} at ${i.path}: ${i.message}`);
  }
  if (parsed.rows.length === 0) {
    throw new GatewayError('INS_CHECK_INPUT_INVALID', 'No identity to check.', { issues: parsed.issues });
  }
  const config = configFromCli(values, io);
  const insi = await openInsi(config, { clock: { now: () => new Date() }, ids: { uuid: () => randomUUID() } });
  try {
    const results = await runInsChecks(parsed.rows, { insi: insi.client });
    const out = typeof values['out'] === 'string' ? values['out'] : undefined;
    const format = typeof values['format'] === 'string' ? values['format'] : out ? (extname(out).toLowerCase() === '.json' ? 'json' : 'csv') : isJson ? 'json' : 'csv';
    if (format !== 'csv' && format !== 'json') {
      throw new UsageError('--format must be csv or json');
    }
    writeOrPrint(io, out, format === 'json' ? `${JSON.stringify(results, null, 2)}\n` : checkResultsToCsv(results));
    return hasErrors(parsed.issues) ? 1 : 0;
  } finally {
    await insi.close();
  }
};

export const insCommand: Command = {
  name: 'ins',
  summary: 'INS tools: check a NIR/NIA (ins nir), run automated INS qualification checks against INSi (ins check).',
  help: HELP,
  allowPositionals: true,
  options: { oid: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' }, sandbox: { type: 'boolean' } },
  async run({ values, positionals }, io) {
    const [sub, ...rest] = positionals;
    if (sub === 'nir') {
      return runNir(rest, values, io);
    }
    if (sub === 'check') {
      return runCheck(rest, values, io);
    }
    throw new UsageError(sub ? `unknown ins command '${sub}' (nir or check)` : 'ins needs a sub-command: nir or check');
  },
};
