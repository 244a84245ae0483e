/** @module Browser sessions (stored as SHA-256 digests) and the failed-login window used for throttling. */
import type { Store } from './database.js';
import type { SessionTable } from './secrets.schema.js';

export class SessionRepository {
  constructor(private readonly store: Store) {}

  async create(session: SessionTable): Promise<void> {
    await this.store.db.insertInto('sessions').values(session).execute();
  }

  /** The unexpired session with this digest. */
  async findLiveByHash(tokenHash: string, now: string): Promise<SessionTable | undefined> {
    return this.store.db.selectFrom('sessions').selectAll()
      .where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.store.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.store.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteExpired(now: string): Promise<void> {
    await this.store.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}

export class LoginFailureRepository {
  constructor(private readonly store: Store) {}

  async record(input: { id: string; email: string; ip: string; at: string }): Promise<void> {
    await this.store.db.insertInto('login_failures').values(input).execute();
  }

  /** Failures for (email, ip) at or after `since`. */
  async countSince(input: { email: string; ip: string; since: string }): Promise<number> {
    const row = await this.store.db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', '=', input.email).where('ip', '=', input.ip).where('at', '>=', input.since).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async clear(input: { email: string; ip: string }): Promise<void> {
    await this.store.db.deleteFrom('login_failures').where('email', '=', input.email).where('ip', '=', input.ip).execute();
  }

  async prune(before: string): Promise<void> {
    await this.store.db.deleteFrom('login_failures').where('at', '<', before).execute();
  }
}
