import { randomUUID } from 'node:crypto';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { configFromCli } from '../load-config.js';
import { openStorage } from '../../adapters/storage/open.js';
import { appendAudit } from '../../adapters/storage/audit-store.js';
import { ROLES, TokenStore, type Role } from '../../adapters/storage/tokens.js';

/** API tokens for production (the sandbox makes one per role by itself). Every change is audited. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list or revoke API tokens (roles sil, identity, compliance, admin).',
  help: `Usage: dmp-gateway token create --role sil|identity|compliance|admin --label TEXT [--config FILE] [--sandbox]
       dmp-gateway token list [--config FILE] [--sandbox]
       dmp-gateway token revoke ID [--config FILE] [--sandbox]

create  makes a token and prints it once (only its SHA-256 is stored): keep it in the client's secret store.
list    prints id, role, label, creation and revocation dates (never the tokens).
revoke  stops a token at once (API and dashboard sessions).`,
  allowPositionals: true,
  options: { config: { type: 'string' }, sandbox: { type: 'boolean' }, role: { type: 'string' }, label: { type: 'string' } },
  async run({ values, positionals }, io) {
    const [sub, arg] = positionals;
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
      throw new UsageError('expected one of: create, list, revoke');
    }
    const role = values['role'];
    const label = typeof values['label'] === 'string' ? values['label'].trim() : '';
    if (sub === 'create' && (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role) || label === '')) {
      throw new UsageError(`create needs --role (${ROLES.join(', ')}) and --label`);
    }
    if (sub === 'revoke' && !arg) {
      throw new UsageError('revoke needs the token id (see token list)');
    }
    const config = configFromCli(values, io);
    const db = await openStorage(config.storage);
    const tokens = new TokenStore(db);
    const audit = (details: Record<string, unknown>) => db.transaction((tx) => appendAudit(db, tx, { type: 'user.action', actor: 'system:cli', outcome: 'success', details }, new Date(), randomUUID()));
    try {
      if (sub === 'create') {
        const made = await tokens.create(role as Role, label, randomUUID(), new Date());
        await audit({ action: 'token.create', tokenId: made.id, role, label });
        io.out(JSON.stringify({ id: made.id, role, label, token: made.token }, null, 2));
        return 0;
      }
      if (sub === 'list') {
        const rows = await db.query('SELECT id, role, label, created_at, revoked_at FROM api_tokens ORDER BY created_at');
        io.out(JSON.stringify(rows.map((r) => ({ id: r['id'], role: r['role'], label: r['label'], createdAt: r['created_at'], revokedAt: r['revoked_at'] ?? null })), null, 2));
        return 0;
      }
      const done = await tokens.revoke(arg ?? '', new Date());
      if (!done) {
        io.err(`no active token with id ${arg ?? ''}`);
        return 1;
      }
      await audit({ action: 'token.revoke', tokenId: arg });
      io.out(`token ${arg ?? ''} revoked`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
