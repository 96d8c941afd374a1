/**
 * INS traits on record: the TIQ of the last INSi 00 answer per INS (keyed by the gateway's keyed INS hash), so
 * that the identity gate can compare a report's strict traits with them (DESIGN.md "The identity gate").
 * The table comes with `insTraitsMigration(version)`, for the lead to add to the migration list.
 */
import type { ComparableTraits } from '../../core/ins/compare.js';
import type { Migration } from '../storage/migrations/index.js';
import type { Db } from '../storage/db.js';

export const insTraitsMigration = (version: number): Migration => ({
  version,
  name: 'ins-traits',
  up: () => [
    'CREATE TABLE ins_traits (ins_hash TEXT PRIMARY KEY, oid TEXT NOT NULL, traits_json TEXT NOT NULL, source TEXT NOT NULL, answered_at TEXT NOT NULL)',
  ],
});

export interface RecordedInsTraits {
  readonly oid: string;
  readonly traits: ComparableTraits;
  readonly source: string;
  readonly answeredAt: string;
}

export class InsTraitsStore {
  constructor(
    private readonly db: Db,
    private readonly hash: (ins: string) => string,
  ) {}

  /** Keeps the latest answer for this INS. */
  async record(ins: string, oid: string, traits: ComparableTraits, source: string, at: Date): Promise<void> {
    const key = this.hash(ins);
    const json = JSON.stringify({ birthName: traits.birthName, birthGivenNames: traits.birthGivenNames, ...(traits.firstGivenName ? { firstGivenName: traits.firstGivenName } : {}), sex: traits.sex, birthDate: traits.birthDate, ...(traits.birthPlaceCog ? { birthPlaceCog: traits.birthPlaceCog } : {}) });
    await this.db.transaction(async (tx) => {
      const changed = await tx.execute('UPDATE ins_traits SET oid = ?, traits_json = ?, source = ?, answered_at = ? WHERE ins_hash = ?', [oid, json, source, at.toISOString(), key]);
      if (changed === 0) {
        await tx.execute('INSERT INTO ins_traits (ins_hash, oid, traits_json, source, answered_at) VALUES (?, ?, ?, ?, ?)', [key, oid, json, source, at.toISOString()]);
      }
    });
  }

  async get(ins: string): Promise<RecordedInsTraits | undefined> {
    const rows = await this.db.query<{ oid: string; traits_json: string; source: string; answered_at: string }>('SELECT oid, traits_json, source, answered_at FROM ins_traits WHERE ins_hash = ?', [this.hash(ins)]);
    const r = rows[0];
    return r ? { oid: r.oid, traits: JSON.parse(r.traits_json) as ComparableTraits, source: r.source, answeredAt: r.answered_at } : undefined;
  }
}
