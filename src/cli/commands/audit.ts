import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command, Io } from '../command.js';
import { UsageError } from '../command.js';
import { configFromCli } from '../load-config.js';
import type { Config } from '../../config/config.js';
import { subjectHash } from '../../core/audit/chain.js';
import { openStorage } from '../../adapters/storage/open.js';
import { loadCheckpointSigner, loadCheckpointTrust, writeCheckpoint } from '../../adapters/audit/checkpoints.js';
import { verifyAuditTrail } from '../../adapters/audit/verify.js';
import { iterateAudit, type AuditFilter } from '../../adapters/audit/search.js';
import { EXPORT_FORMATS, exportChunks, type ExportFormat } from '../../adapters/audit/export.js';
import { parseAuditQuery } from '../../adapters/http/routes/audit-query.js';
import { GatewayError } from '../../core/errors/index.js';

/** The key of the keyed INS hash: configured, or the sandbox's generated file (read only here). */
const subjectKeyOf = (config: Config): string | undefined => {
  if (config.audit.subjectKey) {
    return config.audit.subjectKey;
  }
  const file = resolve(config.dataDir, 'subject-hash.key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
};

const verify = async (config: Config, io: Io, json: boolean): Promise<number> => {
  const db = await openStorage(config.storage);
  try {
    const v = await verifyAuditTrail(db, loadCheckpointTrust(config), new Date());
    if (json) {
      io.out(JSON.stringify(v, null, 2));
    } else if (v.ok) {
      io.out(`audit trail OK: ${v.records} records (last #${v.lastSeq}), ${v.checkpoints} signed checkpoint(s)${v.lastCheckpoint ? `, last at #${v.lastCheckpoint.seq} (${v.lastCheckpoint.at})` : ''}`);
    } else {
      io.out(`audit trail BROKEN at record #${v.firstBad?.seq ?? '?'}${v.firstBad?.id ? ` (id ${v.firstBad.id})` : ''}: ${v.firstBad?.reason ?? ''}: ${v.firstBad?.message ?? ''}`);
    }
    for (const w of v.warnings) {
      io.err(`warning: ${w}`);
    }
    return v.ok ? 0 : 1;
  } finally {
    await db.close();
  }
};

const exportTrail = async (config: Config, values: Record<string, unknown>, io: Io): Promise<number> => {
  const format = typeof values['format'] === 'string' ? values['format'] : 'jsonl';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  const key = subjectKeyOf(config);
  const query: Record<string, string> = {};
  for (const k of ['from', 'to', 'ins', 'transmission', 'document', 'type', 'outcome']) {
    if (typeof values[k] === 'string') {
      query[k] = values[k];
    }
  }
  if (query['ins'] && !key) {
    throw new GatewayError('CONFIG_INVALID', 'Searching by INS needs the audit subject key (DMP_GATEWAY_AUDIT_SUBJECT_KEY).');
  }
  const filter: AuditFilter = parseAuditQuery(query, (ins) => subjectHash(key ?? '', ins)).filter;
  const db = await openStorage(config.storage);
  try {
    const chunks = Readable.from(exportChunks(iterateAudit(db, filter), format as ExportFormat, { observer: config.lab.name ? `dmp-gateway (${config.lab.name})` : 'dmp-gateway', ...(config.lab.oid ? { siteOid: config.lab.oid } : {}) }));
    const out = typeof values['out'] === 'string' ? values['out'] : undefined;
    if (out) {
      await pipeline(chunks, createWriteStream(resolve(io.cwd, out)));
      io.err(`audit export written to ${out}`);
    } else {
      for await (const c of chunks) {
        process.stdout.write(String(c));
      }
    }
    return 0;
  } finally {
    await db.close();
  }
};

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Verify the tamper-evident audit trail, export it, or sign a checkpoint.',
  help: `Usage: dmp-gateway audit verify [--json] [--config FILE] [--sandbox]
       dmp-gateway audit export [--from DATE] [--to DATE] [--format csv|jsonl|fhir] [--out FILE]
                                [--ins INS] [--transmission ID] [--document UNIQUEID] [--type T[,T…]] [--outcome O]
       dmp-gateway audit checkpoint [--config FILE] [--sandbox]

verify      walks the whole hash chain and the signed checkpoints; exits 0 when intact, 1 naming the first
            bad record (edited, deleted, inserted, moved, or missing after the last checkpoint).
export      writes matching records oldest first: CSV, JSON lines, or a FHIR Bundle of AuditEvent (IHE BALP style).
            --from is inclusive, --to exclusive (ISO 8601 dates or date-times). Default format: jsonl, to stdout.
checkpoint  signs the current end of the trail with the structure's signature certificate (audit.signatureP12).`,
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    sandbox: { type: 'boolean' },
    json: { type: 'boolean' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    ins: { type: 'string' },
    transmission: { type: 'string' },
    document: { type: 'string' },
    type: { type: 'string' },
    outcome: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'verify' && sub !== 'export' && sub !== 'checkpoint')) {
      throw new UsageError('expected one of: verify, export, checkpoint');
    }
    const config = configFromCli(values, io);
    if (sub === 'verify') {
      return verify(config, io, values['json'] === true);
    }
    if (sub === 'export') {
      return exportTrail(config, values, io);
    }
    const signer = loadCheckpointSigner(config, new Date());
    if (!signer) {
      throw new GatewayError('AUDIT_NO_SIGNATURE_CERTIFICATE');
    }
    const db = await openStorage(config.storage);
    try {
      const cp = await writeCheckpoint(db, signer, new Date());
      io.out(cp ? `checkpoint signed at record #${cp.seq} (${cp.certFingerprint})` : 'no new record since the last checkpoint');
      return 0;
    } finally {
      await db.close();
    }
  },
};
