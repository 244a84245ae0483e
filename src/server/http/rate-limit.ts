/**
 * @module Throttling of failed logins per (email, client IP), counted in the database so the limit
 * holds across replicas: after {@link MAX_FAILURES} failures within {@link WINDOW_MS}, further attempts
 * answer 429 until the window slides past them. A success clears the counter.
 */
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Repositories } from '../../store/index.js';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

export class LoginThrottle {
  constructor(private readonly repos: Repositories, private readonly now: () => Date = () => new Date()) {}

  /** Throws `rate_limited` when the (email, ip) pair has used up its attempts. */
  async check(email: string, ip: string): Promise<void> {
    const since = new Date(this.now().getTime() - WINDOW_MS).toISOString();
    const failures = await this.repos.loginFailures.countSince({ email: email.toLowerCase(), ip, since });
    if (failures >= MAX_FAILURES) {
      throw new AppError('rate_limited', `Too many failed sign-in attempts; try again in ${Math.round(WINDOW_MS / 60000)} minutes`);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.now();
    await this.repos.loginFailures.record({ id: newId(), email: email.toLowerCase(), ip, at: now.toISOString() });
    await this.repos.loginFailures.prune(new Date(now.getTime() - 2 * WINDOW_MS).toISOString());
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.repos.loginFailures.clear({ email: email.toLowerCase(), ip });
  }
}
