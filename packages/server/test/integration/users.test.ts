import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_LOGIN_MESSAGE } from '../../src/auth/users.js';
import { createVault, DataApi, dlp, expectError, field, vaultRoles } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ID = /^[0-9a-f]{32}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every password any test sends: none of them may ever come back or be logged. */
const PASSWORDS = new Set<string>();
function password(name: string): string {
  const value = `Pw-${name}-${Math.random().toString(36).slice(2, 10)}`;
  PASSWORDS.add(value);
  return value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`console users and login (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let roles: Record<string, string>;
    let adminRoleId: string;

    const login = (email: string, pw: string) =>
      t.request('POST', '/v1/auth/login', { token: null, body: { email, password: pw } });
    const whoami = (token: string) => t.request('GET', '/v1/auth/whoami', { token });

    /** Creates a user as the bootstrap admin and returns its ID. */
    async function createUser(email: string, pw: string, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await t.request('POST', '/v1/users', { body: { email, password: pw, ...extra } });
      expect(res.status, res.text).toBe(200);
      return res.body.user.ID as string;
    }

    async function tokenOf(email: string, pw: string): Promise<string> {
      const res = await login(email, pw);
      expect(res.status, res.text).toBe(200);
      return res.body.accessToken as string;
    }

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await createVault(t, 'users-vault', [
        { name: 'persons', fields: [field('name', 'DT_STRING', dlp('PLAIN_TEXT'))] },
      ]);
      roles = await vaultRoles(t, vaultId);
      const account = await t.request('GET', '/v1/roles?resource.type=ACCOUNT&name=ACCOUNT_ADMIN');
      adminRoleId = account.body.roles[0].ID;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('an admin creates a user; no response carries the password or its hash', async () => {
      const pw = password('ada');
      const res = await t.request('POST', '/v1/users', {
        body: { email: 'Ada@Example.com', displayName: 'Ada Lovelace', password: pw },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        user: {
          ID: expect.stringMatching(ID),
          email: 'Ada@Example.com',
          displayName: 'Ada Lovelace',
          status: 'ACTIVE',
          lastLoginOn: null,
          lockedUntil: null,
          BasicAudit: {
            CreatedBy: t.adminCredentials.clientID,
            LastModifiedBy: t.adminCredentials.clientID,
            CreatedOn: expect.stringMatching(ISO),
            LastModifiedOn: expect.stringMatching(ISO),
          },
        },
      });
      const id = res.body.user.ID;
      const one = await t.request('GET', `/v1/users/${id}`);
      expect(one.body).toEqual({ user: res.body.user });
      const list = await t.request('GET', '/v1/users');
      expect(list.body.users.map((u: { ID: string }) => u.ID)).toContain(id);
      const byEmail = await t.request('GET', '/v1/users?email=ada@example.COM');
      expect(byEmail.body.users.map((u: { ID: string }) => u.ID)).toEqual([id]);
      for (const r of [res, one, list, byEmail]) {
        expect(r.text).not.toContain(pw);
        expect(r.text).not.toContain('scrypt');
        expect(r.text).not.toMatch(/password/i);
      }
      // Without a display name the part of the address before @ is used.
      const plain = await t.request('POST', '/v1/users', {
        body: { email: 'grace@example.com', password: password('grace') },
      });
      expect(plain.body.user.displayName).toBe('grace');
    });

    it('login gives a personal bearer token valid 24 hours, typed and claimed as a user token', async () => {
      const pw = password('turing');
      const id = await createUser('alan@example.com', pw);
      const res = await login('ALAN@example.com', pw);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 86400 });
      const token = res.body.accessToken as string;
      const claims = decodeJwt(token);
      expect(claims.exp! - claims.iat!).toBe(86400);
      expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
      expect(claims).toMatchObject({ sub: id, kind: 'USER', jti: expect.any(String) });
      expect(claims.roles).toBeUndefined();
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'user+jwt' });
      const who = await whoami(token);
      expect(who.body).toEqual({
        type: 'USER',
        userID: id,
        email: 'alan@example.com',
        authMode: 'USER_LOGIN',
        roleIDs: [],
      });
      // The login is recorded on the user.
      const user = await t.request('GET', `/v1/users/${id}`);
      expect(user.body.user.lastLoginOn).toMatch(ISO);
      // A user reads themselves, not others.
      expect((await t.request('GET', `/v1/users/${id}`, { token })).status).toBe(200);
      expectError(await t.request('GET', '/v1/users', { token }), 403, /users\.read/);
    });

    it('a personal token older than 24 hours is refused; one minted now is accepted', async () => {
      const id = await createUser('expired@example.com', password('expired'));
      const { issuer } = t.server.services;
      const stale = await issuer.mintUser({ userId: id, now: Date.now() - 86_401_000 });
      expectError(await whoami(stale.accessToken), 401, /expired/);
      const fresh = await issuer.mintUser({ userId: id, now: Date.now() });
      expect((await whoami(fresh.accessToken)).status).toBe(200);
    });

    it('personal and service-account tokens are typed apart: neither verifier accepts the other kind', async () => {
      const pw = password('typed');
      await createUser('typed@example.com', pw);
      const userToken = await tokenOf('typed@example.com', pw);
      const saToken = await t.adminToken();
      const { issuer } = t.server.services;
      await expect(issuer.verify(userToken)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(issuer.verifyUser(saToken)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      expect((await issuer.verifyIssued(userToken)).principalType).toBe('USER');
      expect((await issuer.verifyIssued(saToken)).principalType).toBe('SERVICE_ACCOUNT');
      // Relabelling a personal token as a plain JWT, or adding roles to it, breaks its signature.
      const [header, payload, signature] = userToken.split('.') as [string, string, string];
      const relabelled = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(userToken), typ: 'JWT' })).toString(
        'base64url',
      );
      expectError(await whoami(`${relabelled}.${payload}.${signature}`), 401);
      const withRoles = Buffer.from(JSON.stringify({ ...decodeJwt(userToken), roles: [adminRoleId] })).toString(
        'base64url',
      );
      expectError(await whoami(`${header}.${withRoles}.${signature}`), 401);
    });

    it('the token works on management routes and, once a vault role is assigned, on the Data API', async () => {
      const pw = password('editor');
      const id = await createUser('editor@example.com', pw);
      const token = await tokenOf('editor@example.com', pw);
      const api = new DataApi(t, vaultId, token);
      // No roles yet: no vaults visible, no data.
      expect((await t.request('GET', '/v1/vaults', { token })).body.vaults).toEqual([]);
      expectError(await api.insert('persons', [{ name: 'Ada' }]), 403);
      // Users are role members like service accounts; the same token picks the role up at once.
      const assigned = await t.request('POST', '/v1/roles/assign', {
        body: { ID: roles.VAULT_EDITOR, members: [{ ID: id, type: 'USER' }] },
      });
      expect(assigned.status, assigned.text).toBe(200);
      const members = await t.request('GET', `/v1/roles/${roles.VAULT_EDITOR}/members`);
      expect(members.body.members).toContainEqual(expect.objectContaining({ ID: id, type: 'USER' }));
      const inserted = await api.insert('persons', [{ name: 'Ada' }]);
      expect(inserted.status, inserted.text).toBe(200);
      const skyflowId = inserted.body.records[0].skyflow_id;
      const read = await api.getOne('persons', skyflowId, '?redaction=PLAIN_TEXT');
      expect(read.status, read.text).toBe(200);
      expect(read.body.fields.name).toBe('Ada');
      const vaults = await t.request('GET', '/v1/vaults', { token });
      expect(vaults.body.vaults.map((v: { ID: string }) => v.ID)).toEqual([vaultId]);
      expect((await whoami(token)).body.roleIDs).toEqual([roles.VAULT_EDITOR]);
      // An editor manages nothing.
      expectError(await t.request('DELETE', `/v1/vaults/${vaultId}`, { token }), 403);
      // Unassigning takes effect at once too.
      await t.request('POST', '/v1/roles/unassign', {
        body: { ID: roles.VAULT_EDITOR, members: [{ ID: id, type: 'USER' }] },
      });
      expectError(await api.insert('persons', [{ name: 'Ada' }]), 403);
      // Assigning a role to a user that does not exist is refused.
      expectError(
        await t.request('POST', '/v1/roles/assign', {
          body: { ID: roles.VAULT_EDITOR, members: [{ ID: 'f'.repeat(32), type: 'USER' }] },
        }),
        400,
        /User f{32} doesn't exist/,
      );
    });

    it('a user created with the account-admin role manages users and the account', async () => {
      const pw = password('admin');
      const id = await createUser('root@example.com', pw, { roleIDs: [adminRoleId] });
      const token = await tokenOf('root@example.com', pw);
      const created = await t.request('POST', '/v1/users', {
        token,
        body: { email: 'made-by-user@example.com', password: password('made') },
      });
      expect(created.status, created.text).toBe(200);
      expect(created.body.user.BasicAudit.CreatedBy).toBe(id);
      expect((await t.request('GET', '/v1/users', { token })).status).toBe(200);
      expect((await t.request('GET', '/v1/serviceAccounts', { token })).status).toBe(200);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token })).status).toBe(200);
      // A service account without account roles manages no users.
      const sa = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'no-users' }, apiKeyEnabled: true },
      });
      expectError(
        await t.request('POST', '/v1/users', {
          token: sa.body.apiKey,
          body: { email: 'nope@example.com', password: password('nope') },
        }),
        403,
        /users\.manage/,
      );
    });

    it('a wrong password and an unknown email get the same 401, after about the same time', async () => {
      const pw = password('timing');
      await createUser('timing@example.com', pw);
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        let started = performance.now();
        const a = await login('timing@example.com', `${pw}-wrong`);
        wrong.push(performance.now() - started);
        started = performance.now();
        const b = await login(`nobody-${i}@example.com`, pw);
        unknown.push(performance.now() - started);
        for (const res of [a, b]) expectError(res, 401, new RegExp(`^${INVALID_LOGIN_MESSAGE.replace(/\./g, '\\.')}$`));
        expect(a.body).toEqual(b.body);
      }
      // Both run scrypt once (the unknown address against a dummy hash): neither answers fast.
      const ratio = median(unknown) / median(wrong);
      expect(ratio, `unknown ${median(unknown)} ms, wrong ${median(wrong)} ms`).toBeGreaterThan(0.4);
      expect(ratio, `unknown ${median(unknown)} ms, wrong ${median(wrong)} ms`).toBeLessThan(2.5);
    });

    it('ten failed logins lock the address: 429 with Retry-After even for the right password, until an admin enables the user', async () => {
      const pw = password('locked');
      const id = await createUser('locked@example.com', pw);
      for (let i = 0; i < 10; i++) expectError(await login('locked@example.com', 'Wrong-password-1'), 401);
      const refused = await login('locked@example.com', pw);
      expect(refused.status, refused.text).toBe(429);
      expect(refused.body.error.message).toMatch(/Too many failed logins/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(850);
      expect(retryAfter).toBeLessThanOrEqual(900);
      const user = await t.request('GET', `/v1/users/${id}`);
      expect(Date.parse(user.body.user.lockedUntil)).toBeGreaterThan(Date.now() + 850_000);
      // Enabling the user lifts the lock.
      const enabled = await t.request('PATCH', `/v1/users/${id}`, { body: { status: 'ACTIVE' } });
      expect(enabled.body.user.lockedUntil).toBeNull();
      expect((await login('locked@example.com', pw)).status).toBe(200);
    });

    it('an address that belongs to nobody locks the same way, so a lock tells nothing', async () => {
      for (let i = 0; i < 10; i++) expectError(await login('ghost@example.com', 'Wrong-password-1'), 401);
      const refused = await login('ghost@example.com', 'Wrong-password-1');
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(/Too many failed logins/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(850);
    });

    it('a disabled user gets a clear 401 and their tokens are refused at once, also after re-enabling', async () => {
      const pw = password('disabled');
      const id = await createUser('disabled@example.com', pw);
      const token = await tokenOf('disabled@example.com', pw);
      expect((await whoami(token)).status).toBe(200);
      const disabled = await t.request('PATCH', `/v1/users/${id}`, { body: { status: 'DISABLED' } });
      expect(disabled.body.user.status).toBe('DISABLED');
      expectError(await whoami(token), 401, /The user is disabled/);
      // Only the right password learns that the user is disabled.
      expectError(await login('disabled@example.com', pw), 401, /The user is disabled/);
      expectError(await login('disabled@example.com', `${pw}-wrong`), 401, /email address or password is wrong/);
      await t.request('PATCH', `/v1/users/${id}`, { body: { status: 'ACTIVE' } });
      expectError(await whoami(token), 401, /revoked/);
      const again = await tokenOf('disabled@example.com', pw);
      expect((await whoami(again)).status).toBe(200);
    });

    it('deleting a user refuses their tokens at once and frees the address', async () => {
      const pw = password('deleted');
      const id = await createUser('deleted@example.com', pw, { roleIDs: [roles.VAULT_VIEWER] });
      const token = await tokenOf('deleted@example.com', pw);
      expect((await t.request('DELETE', `/v1/users/${id}`)).status).toBe(200);
      expectError(await whoami(token), 401);
      expectError(await t.request('GET', `/v1/users/${id}`), 404);
      expectError(await t.request('DELETE', `/v1/users/${id}`), 404);
      const members = await t.request('GET', `/v1/roles/${roles.VAULT_VIEWER}/members`);
      expect(members.body.members.map((m: { ID: string }) => m.ID)).not.toContain(id);
      await createUser('DELETED@example.com', password('deleted-again'));
    });

    it('logout revokes the caller’s own token only; admins and users revoke personal tokens too', async () => {
      const pw = password('logout');
      const id = await createUser('logout@example.com', pw);
      const first = await tokenOf('logout@example.com', pw);
      const second = await tokenOf('logout@example.com', pw);
      const out = await t.request('POST', '/v1/auth/logout', { token: first });
      expect(out.status, out.text).toBe(200);
      expect(out.body).toEqual({ revoked: true });
      expectError(await whoami(first), 401, /revoked/);
      expect((await whoami(second)).status).toBe(200);
      // An admin revokes one token given whole, or by its jti.
      const third = await tokenOf('logout@example.com', pw);
      expect((await t.request('POST', '/v1/auth/revoke', { body: { token: second } })).status).toBe(200);
      expectError(await whoami(second), 401, /revoked/);
      const byJti = await t.request('POST', '/v1/auth/revoke', { body: { jti: decodeJwt(third).jti, userID: id } });
      expect(byJti.status, byJti.text).toBe(200);
      expectError(await whoami(third), 401, /revoked/);
      // A user revokes every token they hold.
      const fourth = await tokenOf('logout@example.com', pw);
      const fifth = await tokenOf('logout@example.com', pw);
      const all = await t.request('POST', `/v1/users/${id}/revokeTokens`, { token: fourth });
      expect(all.status, all.text).toBe(200);
      expectError(await whoami(fourth), 401, /revoked/);
      expectError(await whoami(fifth), 401, /revoked/);
      // Another user may not revoke them.
      const otherPw = password('other');
      await createUser('other@example.com', otherPw);
      const other = await tokenOf('other@example.com', otherPw);
      expectError(await t.request('POST', `/v1/users/${id}/revokeTokens`, { token: other }), 403, /users\.manage/);
      // API keys are no sessions.
      const sa = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'keyed-logout' }, apiKeyEnabled: true },
      });
      expectError(await t.request('POST', '/v1/auth/logout', { token: sa.body.apiKey }), 400, /API key/);
    });

    it('users change their own password with the current one; every earlier token stops working', async () => {
      const pw = password('changer');
      const id = await createUser('changer@example.com', pw);
      const token = await tokenOf('changer@example.com', pw);
      const next = password('changer-next');
      const patch = (body: Record<string, unknown>, as = token) =>
        t.request('PATCH', `/v1/users/${id}`, { token: as, body });
      expectError(await patch({ password: next }), 400, /currentPassword is required/);
      expectError(await patch({ password: next, currentPassword: `${pw}-wrong` }), 403, /currentPassword/);
      expectError(await patch({ password: 'short', currentPassword: pw }), 400, /at least 12 characters/);
      // Users rename themselves, but neither change their status nor touch others.
      expect((await patch({ displayName: 'Changer' })).body.user.displayName).toBe('Changer');
      expectError(await patch({ status: 'DISABLED' }), 403, /users\.manage/);
      const otherId = await createUser('bystander@example.com', password('bystander'));
      expectError(
        await t.request('PATCH', `/v1/users/${otherId}`, { token, body: { displayName: 'x' } }),
        403,
        /users\.manage/,
      );
      const changed = await patch({ password: next, currentPassword: pw });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.text).not.toContain(next);
      expectError(await whoami(token), 401, /revoked/);
      expectError(await login('changer@example.com', pw), 401);
      const fresh = await tokenOf('changer@example.com', next);
      expect((await whoami(fresh)).status).toBe(200);
      // An admin sets a new password without the current one.
      const reset = password('changer-reset');
      expect((await t.request('PATCH', `/v1/users/${id}`, { body: { password: reset } })).status).toBe(200);
      expectError(await whoami(fresh), 401, /revoked/);
      expect((await login('changer@example.com', reset)).status).toBe(200);
    });

    it('refuses invalid input with 400s that name the problem, never echoing the password', async () => {
      const weak = 'alllowercaseletters';
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ password: password('x') }, /body\.email/],
        [{ email: 'not-an-address', password: password('x') }, /email must be an email address/],
        [{ email: 'a b@example.com', password: password('x') }, /email must be an email address/],
        [{ email: 'short@example.com', password: 'Short1!' }, /at least 12 characters/],
        [{ email: 'weak@example.com', password: weak }, /two kinds of characters/],
        [{ email: 'same@example.com', password: 'Same@Example.com' }, /must not be the email address/],
        [{ email: 'nopw@example.com' }, /body\.password/],
        [{ email: 'num@example.com', password: 123456789012 }, /password must be a string/],
        [{ email: 'role@example.com', password: password('x'), roleIDs: ['nope'] }, /roleIDs/],
      ];
      for (const [body, message] of cases) {
        const res = await t.request('POST', '/v1/users', { body });
        expectError(res, 400, message);
        expect(res.text).not.toContain(weak);
      }
      await createUser('dup@example.com', password('dup'));
      expectError(
        await t.request('POST', '/v1/users', { body: { email: 'DUP@example.com', password: password('dup2') } }),
        409,
        /already exists/,
      );
      expectError(await t.request('PATCH', `/v1/users/${'a'.repeat(32)}`, { body: {} }), 400, /Nothing to change/);
      expectError(await t.request('PATCH', `/v1/users/${'a'.repeat(32)}`, { body: { displayName: 'x' } }), 404);
      expectError(await t.request('GET', '/v1/users/not-an-id'), 400);
      expectError(await t.request('POST', '/v1/auth/login', { token: null, body: { email: 'x@example.com' } }), 400);
      expectError(await t.request('POST', '/v1/auth/login', { token: null, body: {} }), 400);
    });

    it('an account admin who is a user counts as one: the bootstrap service account may then be deactivated', async () => {
      const pw = password('owner');
      const id = await createUser('owner@example.com', pw, { roleIDs: [adminRoleId] });
      const token = await tokenOf('owner@example.com', pw);
      expectError(
        await t.request('PATCH', `/v1/users/${id}`, { token, body: { status: 'DISABLED' } }),
        400,
        /cannot disable themselves/,
      );
      expectError(await t.request('DELETE', `/v1/users/${id}`, { token }), 400, /cannot delete themselves/);
      // The bootstrap service account is the only admin service account; the active admin users keep the
      // account manageable without it.
      const bootstrap = t.adminCredentials.clientID;
      const status = (value: string) =>
        t.request('PATCH', `/v1/serviceAccounts/${bootstrap}`, { token, body: { serviceAccount: { status: value } } });
      const off = await status('INACTIVE');
      expect(off.status, off.text).toBe(200);
      expect((await status('ACTIVE')).status).toBe(200);
    });

    it('never lets a password reach the logs or the audit log; logins are audited as the user', async () => {
      const pw = password('audited');
      const id = await createUser('audited@example.com', pw);
      const token = await tokenOf('audited@example.com', pw);
      expect((await whoami(token)).status).toBe(200);
      await t.request('POST', '/v1/auth/logout', { token });
      const events = await t.request('GET', `/v1/audit/events?filterOps.context.actor=${id}`);
      expect(events.status, events.text).toBe(200);
      const summary = events.body.event.map((e: any) => [
        e.request.apiName,
        e.request.actionType,
        e.request.resourceType,
        e.context.actorType,
        e.context.authMode,
      ]);
      expect(summary).toEqual(
        expect.arrayContaining([
          ['POST /v1/auth/login', 'LOGIN', 'USER', 'USER', 'USER_LOGIN'],
          ['POST /v1/auth/logout', 'DELETE', 'TOKEN', 'USER', 'USER_LOGIN'],
        ]),
      );
      const login = events.body.event.find((e: any) => e.request.apiName === 'POST /v1/auth/login');
      expect(login.context.jwtID).toBe(decodeJwt(token).jti);
      // The creation of users is audited as a change to a USER.
      const created = await t.request(
        'GET',
        `/v1/audit/events?filterOps.context.actor=${t.adminCredentials.clientID}&sortOps.orderBy=DESCENDING&limit=100`,
      );
      expect(
        created.body.event.some(
          (e: any) => e.request.apiName === 'POST /v1/users' && e.request.resourceType === 'USER',
        ),
      ).toBe(true);
      // Every entry of the log, page by page.
      let everything = '';
      for (let after = ''; ; ) {
        const page = await t.request('GET', `/v1/audit/events?limit=100${after && `&afterOps.changeID=${after}`}`);
        expect(page.status, page.text).toBe(200);
        everything += page.text;
        if (page.body.event.length < 100) break;
        after = page.body.nextOps.changeID;
      }
      expect(everything).toContain('POST /v1/users');
      const logs = t.logs();
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of PASSWORDS) {
        expect(logs).not.toContain(secret);
        expect(everything).not.toContain(secret);
      }
      expect(logs).not.toContain('scrypt$');
    });
  });
}

describe('login rate limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false, rateLimitTokenPerIp: 3 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the token endpoint’s per-address limit covers logins too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.request('POST', '/v1/auth/login', {
        token: null,
        body: { email: `limit-${i}@example.com`, password: 'Wrong-password-1' },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
