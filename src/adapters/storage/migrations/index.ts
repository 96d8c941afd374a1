/**
 * Versioned schema migrations, shared by both engines. Each migration gives its statements for an engine
 * (most are the same text; the few dialect differences are resolved by `t()` below). Applied in order,
 * each in its own transaction, recorded in schema_migrations. Never edit a released migration: add one.
 */
import { m001Foundation } from './001-foundation.js';
import { m002Audit } from './002-audit.js';
import { m004SilReceipts } from './004-sil-receipts.js';
import { m005DocumentLookups } from './005-document-lookups.js';
import { m006DocumentEntries } from './006-document-entries.js';
import { m007DocumentHeader } from './007-document-header.js';
import { insTraitsMigration } from '../../insi/traits-store.js';

export type Engine = 'sqlite' | 'postgres';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (engine: Engine) => readonly string[];
}

/** Dialect helpers: the types that differ between SQLite and PostgreSQL. */
export const t = (engine: Engine) => ({
  bytes: engine === 'sqlite' ? 'BLOB' : 'BYTEA',
  serialKey: engine === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY',
  bigint: engine === 'sqlite' ? 'INTEGER' : 'BIGINT',
});

// 003: INS traits on record from INSi answers (src/adapters/insi/traits-store.ts). 004: the SIL's DMP receipts outbox.
// 005: documents indexed by transmission. 006: the DMP entryUUID of a document in its own table. 007: the CDA
// header stored with its document.
export const migrations: readonly Migration[] = [m001Foundation, m002Audit, insTraitsMigration(3), m004SilReceipts, m005DocumentLookups, m006DocumentEntries, m007DocumentHeader];
