/**
 * Dashboard sessions: signing in with an API token gives an HttpOnly, SameSite=Strict cookie. Only a SHA-256 of
 * the session id is stored (ui_sessions); the API token itself stays in this process's memory, so that the
 * dashboard can call the API (identity holds) on the user's behalf. After a restart, users sign in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';
import type { Principal, Role } from '../storage/tokens.js';

export const SESSION_COOKIE = 'dgw_session';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface UiSession {
  readonly tokenId: string;
  readonly role: Role;
  readonly label: string;
  readonly csrf: string;
  /** The API token, when this process still holds it. */
  readonly token?: string;
}

export class UiSessions {
  private readonly tokens = new Map<string, { token: string; label: string }>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 8 * 3600 * 1000,
  ) {}

  async create(principal: Principal, token: string, now: Date): Promise<{ id: string; session: UiSession }> {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    await this.db.execute('INSERT INTO ui_sessions (id_sha256, token_id, role, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [sha256(id), principal.tokenId, principal.role, csrf, now.toISOString(), new Date(now.getTime() + this.ttlMs).toISOString()]);
    this.tokens.set(sha256(id), { token, label: principal.label });
    return { id, session: { tokenId: principal.tokenId, role: principal.role, label: principal.label, csrf, token } };
  }

  /** The live session for a cookie value (its token must not have been revoked since). */
  async get(id: string | undefined, now: Date): Promise<UiSession | undefined> {
    if (!id) {
      return undefined;
    }
    const r = (
      await this.db.query<{ token_id: string; role: Role; csrf: string; label: string }>(
        `SELECT s.token_id, s.role, s.csrf, t.label FROM ui_sessions s JOIN api_tokens t ON t.id = s.token_id
         WHERE s.id_sha256 = ? AND s.expires_at > ? AND t.revoked_at IS NULL`,
        [sha256(id), now.toISOString()],
      )
    )[0];
    if (!r) {
      return undefined;
    }
    const mem = this.tokens.get(sha256(id));
    return { tokenId: r.token_id, role: r.role, label: r.label, csrf: r.csrf, ...(mem ? { token: mem.token } : {}) };
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id) {
      this.tokens.delete(sha256(id));
      await this.db.execute('DELETE FROM ui_sessions WHERE id_sha256 = ?', [sha256(id)]);
    }
  }
}
