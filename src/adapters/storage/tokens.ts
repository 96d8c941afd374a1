import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';

export const ROLES = ['sil', 'identity', 'compliance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly tokenId: string;
  readonly role: Role;
  readonly label: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** API tokens with roles. Only a SHA-256 of each token is stored; the token itself is shown once. */
export class TokenStore {
  constructor(private readonly db: Db) {}

  async create(role: Role, label: string, id: string, at: Date): Promise<{ id: string; token: string }> {
    const token = `dgw_${role}_${randomBytes(24).toString('base64url')}`;
    await this.db.execute('INSERT INTO api_tokens (id, token_sha256, role, label, created_at) VALUES (?, ?, ?, ?, ?)', [id, sha256(token), role, label, at.toISOString()]);
    return { id, token };
  }

  async verify(token: string): Promise<Principal | undefined> {
    const r = (await this.db.query<{ id: string; role: Role; label: string }>('SELECT id, role, label FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL', [sha256(token)]))[0];
    return r ? { tokenId: r.id, role: r.role, label: r.label } : undefined;
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    return (await this.db.execute('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at.toISOString(), id])) === 1;
  }

  async count(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL');
    return Number(r[0]?.n ?? 0);
  }
}
