/**
 * Reading the identities to check (`ins check FILE.csv|json`, `POST /v1/ins/checks`): CSV with a header row
 * (comma or semicolon separated, quoted fields allowed; English or French column names) or a JSON array of
 * objects. Every problem is collected with its place (`row[3].sex`, `$[2].birthDate`).
 */
import type { IdentityAttribute, IdentityStatus } from '../core/report/model.js';
import type { CandidateIdentity } from '../core/ins/qualification.js';
import { issue, type Issue } from '../core/validation/issue.js';

export interface CheckRow {
  /** The caller's id for the row (patient file number, IPP…), echoed in the result. */
  readonly id: string;
  readonly identity: CandidateIdentity;
}

const COLUMNS: Readonly<Record<string, keyof RawRow>> = {
  id: 'id', ipp: 'id',
  birthname: 'birthName', nomnaissance: 'birthName', nom_naissance: 'birthName',
  birthgivennames: 'birthGivenNames', prenoms: 'birthGivenNames', listeprenom: 'birthGivenNames', prenoms_naissance: 'birthGivenNames',
  firstgivenname: 'firstGivenName', premierprenom: 'firstGivenName',
  sex: 'sex', sexe: 'sex',
  birthdate: 'birthDate', datenaissance: 'birthDate', date_naissance: 'birthDate',
  birthplacecog: 'birthPlaceCog', lieunaissance: 'birthPlaceCog', cog: 'birthPlaceCog',
  usedname: 'usedName', nomutilise: 'usedName',
  status: 'status', statut: 'status',
  attributes: 'attributes', attributs: 'attributes',
  evidence: 'evidence', justificatif: 'evidence',
  ins: 'ins', matricule: 'ins',
};

interface RawRow {
  id?: string; birthName?: string; birthGivenNames?: string; firstGivenName?: string; sex?: string; birthDate?: string;
  birthPlaceCog?: string; usedName?: string; status?: string; attributes?: string; evidence?: string; ins?: string;
}

const STATUSES: readonly IdentityStatus[] = ['PROV', 'RECUP', 'VALI', 'QUAL'];
const ATTRIBUTE_ALIASES: Readonly<Record<string, IdentityAttribute>> = { DOUT: 'DOUT', DOUTE: 'DOUT', FICT: 'FICT', FICTI: 'FICT', HOMONYME: 'HOMONYME', HOMO: 'HOMONYME' };

/** Split CSV text into records (RFC 4180 quoting; the separator is guessed from the header line). */
export const splitCsv = (text: string): string[][] => {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') {
        i += 1;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
};

const toIsoDate = (v: string): string | undefined => {
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    return s;
  }
  const fr = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  return fr ? `${fr[3]}-${fr[2]}-${fr[1]}` : undefined;
};

const toRow = (raw: RawRow, index: number, at: (field: string) => string, issues: Issue[]): CheckRow | undefined => {
  const before = issues.length;
  const need = (k: keyof RawRow, what: string): string => {
    const v = raw[k]?.trim() ?? '';
    if (v === '') {
      issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', at(k), `The ${what} is missing.`));
    }
    return v;
  };
  const birthName = need('birthName', 'birth name');
  const birthGivenNames = need('birthGivenNames', 'list of birth first names');
  const sexRaw = need('sex', 'sex').toUpperCase();
  const sex = sexRaw === 'M' || sexRaw === 'F' || sexRaw === 'U' ? sexRaw : undefined;
  if (sexRaw !== '' && !sex) {
    issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', at('sex'), 'The sex must be M, F or U.'));
  }
  const dateRaw = need('birthDate', 'birth date');
  const birthDate = dateRaw === '' ? '' : toIsoDate(dateRaw);
  if (birthDate === undefined) {
    issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', at('birthDate'), 'The birth date must be YYYY-MM-DD or DD/MM/YYYY (00 for an unknown day or month).'));
  }
  const statusRaw = (raw.status?.trim() || 'PROV').toUpperCase();
  const status = STATUSES.find((s) => s === statusRaw);
  if (!status) {
    issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', at('status'), 'The status must be PROV, RECUP, VALI or QUAL.'));
  }
  const attributes: IdentityAttribute[] = [];
  for (const a of (raw.attributes ?? '').toUpperCase().split(/[\s|,]+/).filter((x) => x !== '')) {
    const known = ATTRIBUTE_ALIASES[a];
    if (known) {
      attributes.push(known);
    } else {
      issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', at('attributes'), 'Unknown identity attribute (expected DOUT, FICT or HOMONYME).'));
    }
  }
  if (issues.length > before || !sex || birthDate === undefined || !status) {
    return undefined;
  }
  const opt = (k: keyof RawRow) => (raw[k]?.trim() ? { [k]: raw[k].trim() } : {});
  return {
    id: raw.id?.trim() || String(index + 1),
    identity: {
      birthName,
      birthGivenNames,
      sex,
      birthDate,
      status,
      attributes,
      ...opt('firstGivenName'),
      ...opt('birthPlaceCog'),
      ...opt('usedName'),
      ...opt('ins'),
      ...(raw.evidence?.trim() ? { evidence: { documentType: raw.evidence.trim() } } : {}),
    },
  };
};

export const parseCheckCsv = (text: string): { rows: CheckRow[]; issues: Issue[] } => {
  const records = splitCsv(text);
  const issues: Issue[] = [];
  const header = records[0];
  if (!header) {
    return { rows: [], issues: [issue('error', 'INS_CHECK_INPUT_INVALID', 'row[0]', 'The CSV is empty (a header row is expected).')] };
  }
  const keys = header.map((h) => COLUMNS[h.trim().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\s-]/g, '')]);
  header.forEach((h, i) => {
    if (!keys[i]) {
      issues.push(issue('warning', 'INS_CHECK_INPUT_INVALID', `row[0].${i + 1}`, `Unknown column "${h.trim()}" ignored.`));
    }
  });
  const rows: CheckRow[] = [];
  records.slice(1).forEach((rec, n) => {
    const raw: RawRow = {};
    rec.forEach((v, i) => {
      const k = keys[i];
      if (k) {
        raw[k] = v;
      }
    });
    const r = toRow(raw, n, (f) => `row[${n + 1}].${f}`, issues);
    if (r) {
      rows.push(r);
    }
  });
  return { rows, issues };
};

export const parseCheckJson = (value: unknown): { rows: CheckRow[]; issues: Issue[] } => {
  const list = Array.isArray(value) ? value : value !== null && typeof value === 'object' && Array.isArray((value as { identities?: unknown }).identities) ? (value as { identities: unknown[] }).identities : undefined;
  if (!list) {
    return { rows: [], issues: [issue('error', 'INS_CHECK_INPUT_INVALID', '$', 'Expected a JSON array of identities (or {"identities": [...]}).')] };
  }
  const issues: Issue[] = [];
  const rows: CheckRow[] = [];
  list.forEach((item: unknown, n) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      issues.push(issue('error', 'INS_CHECK_INPUT_INVALID', `$[${n}]`, 'Each identity must be an object.'));
      return;
    }
    const raw: RawRow = {};
    for (const [k, v] of Object.entries(item)) {
      const key = COLUMNS[k.toLowerCase()];
      if (key && (typeof v === 'string' || typeof v === 'number')) {
        raw[key] = String(v);
      } else if (key && Array.isArray(v)) {
        raw[key] = v.map(String).join(' ');
      }
    }
    const r = toRow(raw, n, (f) => `$[${n}].${f}`, issues);
    if (r) {
      rows.push(r);
    }
  });
  return { rows, issues };
};
