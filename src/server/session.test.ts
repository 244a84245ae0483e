/**
 * Sign-in, cookies, CSRF, throttling and token scopes through the HTTP layer, on both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject, buildUser } from '../../test/support/factories.js';
import { openBlobStore } from '../blobs/index.js';
import { GitMirrors } from '../scm/git-mirror.js';
import { SecretKeys, generateKeyRing } from '../secrets/index.js';
import { silentLogger } from '../shared/logger.js';
import { createRepositories, type Repositories } from '../store/index.js';
import { buildApp } from './app.js';
import { MemoryEventBus } from './live/event-bus.js';
import { hashPassword } from './services/bootstrap.service.js';
import { createServices } from './services/index.js';

const PASSWORD = 'correct horse battery staple';

function cookiesOf(setCookie: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of [setCookie ?? []].flat()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    out[pair!.slice(0, at)] = pair!.slice(at + 1);
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: sessions, CSRF, throttling, token scopes`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let repos: Repositories;
    let app: FastifyInstance;
    let dir: string;
    let email: string;
    let slug: string;

    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'kiln-session-'));
      repos = createRepositories(database.store);
      const services = createServices({
        repos, bus: new MemoryEventBus(), logger: silentLogger(), blobs: openBlobStore(join(dir, 'blobs')), git: new GitMirrors(join(dir, 'git')),
        publicUrl: 'http://localhost', leaseSeconds: 30, heartbeatSeconds: 5, keys: new SecretKeys({ ring: generateKeyRing(), source: 'test' }),
      });
      app = (await buildApp({ services, logger: silentLogger() })).app;
      const org = await repos.orgs.create(buildOrg());
      const user = await repos.users.create(buildUser(org.id, { role: 'admin', password_hash: await hashPassword(PASSWORD) }));
      email = user.email;
      slug = (await repos.projects.create(buildProject(org.id))).slug;
    });
    after(async () => { await app?.close(); await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('signs in with a HttpOnly SameSite session cookie and requires the CSRF token for cookie writes', { skip }, async () => {
      const login = await app.inject({ method: 'POST', url: '/api/v2/session', payload: { email, password: PASSWORD } });
      assert.equal(login.statusCode, 200, login.body);
      const raw = [login.headers['set-cookie'] ?? []].flat().join('\n');
      assert.match(raw, /kiln_session=[^;]+;.*HttpOnly/);
      assert.match(raw, /kiln_session=[^;]+;.*SameSite=Strict/);
      assert.doesNotMatch(raw.split('\n').find((l) => l.startsWith('kiln_csrf'))!, /HttpOnly/);
      const cookies = cookiesOf(login.headers['set-cookie']);
      const cookie = `kiln_session=${cookies.kiln_session}; kiln_csrf=${cookies.kiln_csrf}`;
      const me = await app.inject({ method: 'GET', url: '/api/v2/session', headers: { cookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().csrf_token, cookies.kiln_csrf);
      const url = `/api/v2/project/${slug}/envvar`;
      const payload = { name: 'A_VAR', value: 'value-of-a-var' };
      assert.equal((await app.inject({ method: 'POST', url, headers: { cookie }, payload })).statusCode, 403, 'no CSRF header');
      assert.equal((await app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': 'forged' }, payload })).statusCode, 403, 'wrong CSRF header');
      assert.equal((await app.inject({ method: 'POST', url, headers: { cookie: `kiln_session=${cookies.kiln_session}`, 'x-csrf-token': cookies.kiln_csrf! }, payload })).statusCode, 403, 'no CSRF cookie');
      assert.equal((await app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': cookies.kiln_csrf! }, payload })).statusCode, 201);
      const out = await app.inject({ method: 'DELETE', url: '/api/v2/session', headers: { cookie, 'x-csrf-token': cookies.kiln_csrf! } });
      assert.equal(out.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v2/session', headers: { cookie } })).statusCode, 401, 'the session is gone');
      const actions = (await repos.store.db.selectFrom('audit_events').select(['action', 'success']).execute()).map((e) => `${e.action}:${e.success}`);
      assert.ok(actions.includes('user.logged_in:1') && actions.includes('user.logged_out:1') && actions.includes('project.env_var.create:1'), actions.join(','));
    });

    it('throttles repeated failed logins per email and IP with 429, audited as failures', { skip }, async () => {
      const attempt = (password: string, ip = '10.0.0.7') => app.inject({ method: 'POST', url: '/api/v2/session', payload: { email, password }, remoteAddress: ip });
      for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong-password')).statusCode, 401);
      assert.equal((await attempt(PASSWORD)).statusCode, 429, 'even the right password is refused while throttled');
      assert.equal((await attempt(PASSWORD, '10.0.0.8')).statusCode, 200, 'another IP is not affected');
      const failures = await repos.store.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.logged_in').where('success', '=', 0).execute();
      assert.ok(failures.length >= 6);
    });

    it('issues a personal token on ?token=true; read tokens cannot write; project tokens stay in their project', { skip }, async () => {
      const login = await app.inject({ method: 'POST', url: '/api/v2/session?token=true', payload: { email, password: PASSWORD }, remoteAddress: '10.0.0.9' });
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(login.headers['set-cookie'], undefined);
      const token = login.json().token as string;
      const auth = { authorization: `Bearer ${token}` };
      const read = await app.inject({ method: 'POST', url: '/api/v2/me/token', headers: auth, payload: { name: 'ro', scopes: ['read'] } });
      assert.equal(read.statusCode, 201);
      const readAuth = { authorization: `Bearer ${read.json().token as string}` };
      assert.equal((await app.inject({ method: 'GET', url: `/api/v2/project/${slug}/envvar`, headers: readAuth })).statusCode, 200);
      assert.equal((await app.inject({ method: 'POST', url: `/api/v2/project/${slug}/envvar`, headers: readAuth, payload: { name: 'X_Y', value: 'zzzzzz' } })).statusCode, 403);
      const listed = await app.inject({ method: 'GET', url: '/api/v2/me/token', headers: auth });
      assert.ok(!listed.body.includes(token) && !listed.body.includes('token_hash'));
      const project = await app.inject({ method: 'POST', url: `/api/v2/project/${slug}/token`, headers: auth, payload: { name: 'ci' } });
      assert.equal(project.statusCode, 201);
      const projectAuth = { authorization: `Bearer ${project.json().token as string}` };
      assert.equal((await app.inject({ method: 'GET', url: `/api/v2/project/${slug}/envvar`, headers: projectAuth })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v2/context', headers: projectAuth })).statusCode, 403);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v2/project/${slug}/token`, headers: projectAuth })).statusCode, 403, 'capped below admin');
      const revoke = await app.inject({ method: 'DELETE', url: `/api/v2/me/token/${read.json().id as string}`, headers: auth });
      assert.equal(revoke.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v2/project/${slug}/envvar`, headers: readAuth })).statusCode, 401, 'revoked');
    });
  });
}
