/**
 * The storage port: a small SQL executor both engines implement with the same behaviour, so that the
 * gateway's stores (transmissions, audit, …) are written once and tested on both.
 *
 * SQL is written with `?` placeholders; the PostgreSQL engine numbers them. Booleans are stored as
 * integers 0/1, times as ISO 8601 UTC strings (they sort as text), JSON as text, bytes as BLOB / BYTEA.
 */
export type SqlValue = string | number | bigint | boolean | null | Buffer;
export type Row = Record<string, unknown>;

export interface Executor {
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Db extends Executor {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Nested calls reuse the outer transaction.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** A cheap round trip, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The executors that stand for one transaction (given by Db.transaction to its callback; a nested call gets its
 * outer one) and live only as long as it. What a store reads inside one may be kept with it for the rest of that
 * transaction (the audit chain's head: audit-store.ts), never beyond: a Db, or any other executor, is not in it.
 */
export const transactionScopes = new WeakSet<Executor>();

/** Thrown (wrapped in GatewayError STORAGE_CONFLICT) when a unique constraint is violated. */
export const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};
