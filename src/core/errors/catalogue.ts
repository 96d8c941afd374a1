/**
 * The error catalogue: one stable code per failure the gateway can report, with its HTTP status and
 * whether retrying the same operation later may succeed. Codes never change meaning once released;
 * `docs/errors.md` is checked against this list by a test.
 *
 * Each domain contributes its own table (common, intake, identity, document, delivery, outbox, audit);
 * `index.ts` merges them and the test checks that no code is defined twice.
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly retryable: boolean;
  /** Default message, in plain words; a thrower may give a more precise one. */
  readonly message: string;
}

export type ErrorTable = Readonly<Record<string, ErrorDefinition>>;

export const defineErrors = <T extends ErrorTable>(table: T): T => table;
