/**
 * `dmp-gateway send FILE [--url URL] [--token TOKEN]`: submits a SIL report file to a running gateway's
 * POST /v1/reports. An HL7 v2 file may hold several messages (a batch file, FHS/BHS): each is sent on its own,
 * with its bytes unchanged. A file starting with `{` is sent as a FHIR Bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

/** Splits an HL7 v2 file into messages at each MSH, dropping FHS/BHS/BTS/FTS, keeping each message's bytes. */
export const splitHl7File = (bytes: Buffer): Buffer[] => {
  const text = bytes.toString('latin1');
  const lines = text.split(/(?<=\r\n|\r|\n)/);
  const out: string[] = [];
  let current: string | undefined;
  for (const line of lines) {
    const name = line.slice(0, 3);
    if (name === 'FHS' || name === 'BHS' || name === 'BTS' || name === 'FTS') {
      current = undefined;
      continue;
    }
    if (name === 'MSH') {
      current = '';
      out.push('');
    }
    if (current !== undefined) {
      out[out.length - 1] += line;
    }
  }
  return out.length > 0 ? out.map((m) => Buffer.from(m, 'latin1')) : [bytes];
};

const sandboxToken = (cwd: string): string | undefined => {
  const file = resolve(cwd, 'data', 'sandbox-tokens.json');
  if (!existsSync(file)) {
    return undefined;
  }
  try {
    const t = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)['sil'];
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
};

export const sendCommand: Command = {
  name: 'send',
  summary: 'Submit a report file (HL7 v2 ORU^R01, batch, or FHIR JSON) to a running gateway.',
  help: `Usage: dmp-gateway send FILE [--url URL] [--token TOKEN] [--type hl7v2|fhir]

Posts FILE to URL/v1/reports (default URL: $DMP_GATEWAY_URL or http://127.0.0.1:8080). The token is --token,
$DMP_GATEWAY_TOKEN, or the sandbox "sil" token in ./data/sandbox-tokens.json. An HL7 v2 file holding several
messages (batch file) is sent one message at a time. Prints one JSON line per message: the transmission id and
status (202 stored, 200 already received) or the refusal with its issues. Exits 1 if any message was refused.

Example: dmp-gateway send test/fixtures/hl7v2/01-biochemistry-final.hl7`,
  options: { url: { type: 'string' }, token: { type: 'string' }, type: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) {
      throw new UsageError('send takes exactly one FILE.');
    }
    const path = resolve(io.cwd, file);
    if (!existsSync(path)) {
      io.err(`send: no such file: ${file}`);
      return 1;
    }
    const bytes = readFileSync(path);
    const typeOpt = typeof values['type'] === 'string' ? values['type'] : undefined;
    if (typeOpt !== undefined && typeOpt !== 'hl7v2' && typeOpt !== 'fhir') {
      throw new UsageError('--type must be hl7v2 or fhir.');
    }
    const format = typeOpt ?? (bytes.toString('latin1').trimStart().startsWith('{') ? 'fhir' : 'hl7v2');
    const base = (typeof values['url'] === 'string' ? values['url'] : undefined) ?? io.env['DMP_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
    let endpoint: URL;
    try {
      endpoint = new URL('/v1/reports', base);
    } catch {
      throw new UsageError(`--url "${base}" is not a URL.`);
    }
    const token = (typeof values['token'] === 'string' ? values['token'] : undefined) ?? io.env['DMP_GATEWAY_TOKEN'] ?? sandboxToken(io.cwd);
    const messages = format === 'fhir' ? [bytes] : splitHl7File(bytes);
    let failed = 0;
    for (const body of messages) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': format === 'fhir' ? 'application/fhir+json' : 'application/hl7-v2', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body,
        });
      } catch (e) {
        io.err(`send: cannot reach ${endpoint.origin}: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = { body: text.slice(0, 500) };
      }
      io.out(JSON.stringify({ httpStatus: res.status, ...(json !== null && typeof json === 'object' ? json : {}) }));
      if (!res.ok) {
        failed += 1;
      }
    }
    return failed > 0 ? 1 : 0;
  },
};
