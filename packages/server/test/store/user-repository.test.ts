import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoginThrottlePolicy, type Store, UniqueViolationError, type UserRow } from '../../src/store/types.js';
import { rawConnection, STORE_KINDS, TIME_BASE, targetFor, unavailable } from './harness.js';

const POLICY: LoginThrottlePolicy = { maxFailures: 3, windowMs: 60_000, lockMs: 300_000 };

function userRow(id: string, overrides: Partial<UserRow> = {}): UserRow {
  return {
    id,
    email: `${id}@Example.COM`,
    displayName: `User ${id}`,
    passwordHash: `scrypt$32768$8$1$salt-${id}$hash-${id}`,
    status: 'ACTIVE',
    failedLogins: 0,
    firstFailedAt: null,
    lockedUntil: null,
    lastLoginAt: null,
    createdAt: TIME_BASE + 1,
    updatedAt: TIME_BASE + 2,
    createdBy: 'creator',
    updatedBy: 'updater',
    ...overrides,
  };
}

// The users repository, run against every store kind (the same contract as the shared store suite).
for (const kind of STORE_KINDS) {
  describe.skipIf(await unavailable(kind))(`${kind} store: users`, () => {
    const target = targetFor(kind);
    let store: Store;
    beforeEach(async () => {
      store = await target.fresh();
    });
    afterEach(async () => {
      await target.reset();
    });
    afterAll(async () => {
      await target.dispose();
    });

    it('insert() then get() returns the row exactly, with nullable times as null or numbers', async () => {
      const plain = userRow('u1');
      const full = userRow('u2', {
        failedLogins: 2,
        firstFailedAt: TIME_BASE + 3,
        lockedUntil: TIME_BASE + 4,
        lastLoginAt: TIME_BASE + 5,
        status: 'DISABLED',
      });
      await store.users.insert(plain);
      await store.users.insert(full);
      expect(await store.users.get('u1')).toEqual(plain);
      expect(await store.users.get('u2')).toEqual(full);
      expect(await store.users.get('nobody')).toBeUndefined();
    });

    it('an email is unique whatever its letter case, and found in any case', async () => {
      await store.users.insert(userRow('u1', { email: 'Ada@Example.com' }));
      await expect(store.users.insert(userRow('u2', { email: 'ada@EXAMPLE.COM' }))).rejects.toBeInstanceOf(
        UniqueViolationError,
      );
      expect((await store.users.findByEmail('ADA@example.COM'))?.id).toBe('u1');
      // The address is kept as typed.
      expect((await store.users.findByEmail('ada@example.com'))?.email).toBe('Ada@Example.com');
      expect(await store.users.findByEmail('ada@example.org')).toBeUndefined();
      expect(await store.users.get('u2')).toBeUndefined();
    });

    it('insert() of an existing id throws UniqueViolationError', async () => {
      await store.users.insert(userRow('u1'));
      await expect(store.users.insert(userRow('u1', { email: 'other@example.com' }))).rejects.toBeInstanceOf(
        UniqueViolationError,
      );
    });

    it('list() orders by id, filters by status and email (any case), and pages', async () => {
      for (const id of ['u3', 'u1', 'u2']) {
        await store.users.insert(userRow(id, { status: id === 'u2' ? 'DISABLED' : 'ACTIVE' }));
      }
      const ids = async (...args: Parameters<Store['users']['list']>) =>
        (await store.users.list(...args)).map((u) => u.id);
      expect(await ids({}, { offset: 0, limit: 10 })).toEqual(['u1', 'u2', 'u3']);
      expect(await ids({}, { offset: 1, limit: 1 })).toEqual(['u2']);
      expect(await ids({ status: 'ACTIVE' }, { offset: 0, limit: 10 })).toEqual(['u1', 'u3']);
      expect(await ids({ email: 'U3@example.com' }, { offset: 0, limit: 10 })).toEqual(['u3']);
      expect(await ids({ email: 'u3@example.com', status: 'DISABLED' }, { offset: 0, limit: 10 })).toEqual([]);
      await expect(store.users.list({}, { offset: -1, limit: 10 })).rejects.toThrow(RangeError);
    });

    it('update() applies a partial patch; clearing the failures also clears the window; unknown ids report false', async () => {
      await store.users.insert(
        userRow('u1', { failedLogins: 2, firstFailedAt: TIME_BASE, lockedUntil: TIME_BASE + 9 }),
      );
      expect(
        await store.users.update('u1', { displayName: 'Ada', updatedAt: TIME_BASE + 10, updatedBy: 'admin' }),
      ).toBe(true);
      expect(await store.users.get('u1')).toEqual(
        userRow('u1', {
          displayName: 'Ada',
          failedLogins: 2,
          firstFailedAt: TIME_BASE,
          lockedUntil: TIME_BASE + 9,
          updatedAt: TIME_BASE + 10,
          updatedBy: 'admin',
        }),
      );
      await store.users.update('u1', {
        status: 'DISABLED',
        passwordHash: 'scrypt$new',
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: TIME_BASE + 11,
        updatedBy: 'admin',
      });
      expect(await store.users.get('u1')).toMatchObject({
        status: 'DISABLED',
        passwordHash: 'scrypt$new',
        failedLogins: 0,
        firstFailedAt: null,
        lockedUntil: null,
        displayName: 'Ada',
      });
      expect(await store.users.update('nobody', { displayName: 'x', updatedAt: 1, updatedBy: 'x' })).toBe(false);
    });

    it('recordFailedLogin() counts within the window, locks at the limit, and starts over after the window', async () => {
      await store.users.insert(userRow('u1'));
      const t = TIME_BASE + 1_000_000;
      expect(await store.users.recordFailedLogin('u1', t, POLICY)).toEqual({ failedLogins: 1, lockedUntil: null });
      expect(await store.users.recordFailedLogin('u1', t + 10, POLICY)).toEqual({ failedLogins: 2, lockedUntil: null });
      expect(await store.users.recordFailedLogin('u1', t + 20, POLICY)).toEqual({
        failedLogins: 3,
        lockedUntil: t + 20 + POLICY.lockMs,
      });
      expect(await store.users.get('u1')).toMatchObject({
        failedLogins: 3,
        firstFailedAt: t,
        lockedUntil: t + 20 + POLICY.lockMs,
      });
      // A failure once the window has passed opens a new window; the lock it had stays as it was.
      const later = t + POLICY.windowMs + 1;
      expect(await store.users.recordFailedLogin('u1', later, POLICY)).toEqual({
        failedLogins: 1,
        lockedUntil: t + 20 + POLICY.lockMs,
      });
      expect((await store.users.get('u1'))?.firstFailedAt).toBe(later);
      expect(await store.users.recordFailedLogin('nobody', t, POLICY)).toBeUndefined();
    });

    it('recordFailedLogin() counts every one of many concurrent failures', async () => {
      await store.users.insert(userRow('u1'));
      const t = TIME_BASE + 5_000_000;
      const policy = { ...POLICY, maxFailures: 1000 };
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.users.recordFailedLogin('u1', t + i, policy)));
      expect((await store.users.get('u1'))?.failedLogins).toBe(20);
    });

    it('recordLogin() clears the failures and the lock and records the time', async () => {
      await store.users.insert(
        userRow('u1', { failedLogins: 5, firstFailedAt: TIME_BASE, lockedUntil: TIME_BASE + 7 }),
      );
      await store.users.recordLogin('u1', TIME_BASE + 8);
      expect(await store.users.get('u1')).toMatchObject({
        failedLogins: 0,
        firstFailedAt: null,
        lockedUntil: null,
        lastLoginAt: TIME_BASE + 8,
      });
    });

    it('delete() removes one user and reports whether it existed; the email is free again', async () => {
      await store.users.insert(userRow('u1'));
      await store.users.insert(userRow('u2'));
      expect(await store.users.delete('u1')).toBe(true);
      expect(await store.users.delete('u1')).toBe(false);
      expect(await store.users.get('u1')).toBeUndefined();
      expect(await store.users.get('u2')).toBeDefined();
      await store.users.insert(userRow('u3', { email: 'U1@example.com' }));
      expect((await store.users.findByEmail('u1@example.com'))?.id).toBe('u3');
    });

    it('writes inside a rolled-back transaction leave no user behind', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.users.insert(userRow('u1'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.users.get('u1')).toBeUndefined();
    });

    it('stores the email as typed and, for the unique index, in lower case', async () => {
      await store.users.insert(userRow('u1', { email: 'Grace.Hopper@Navy.MIL' }));
      const raw = await rawConnection(kind, target.locationOf(store));
      try {
        const rows = await raw.all('select * from users');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ email: 'Grace.Hopper@Navy.MIL', email_key: 'grace.hopper@navy.mil' });
        expect(Object.keys(rows[0] as object).sort()).toEqual(
          [
            'created_at',
            'created_by',
            'display_name',
            'email',
            'email_key',
            'failed_logins',
            'first_failed_at',
            'id',
            'last_login_at',
            'locked_until',
            'password_hash',
            'status',
            'updated_at',
            'updated_by',
          ].sort(),
        );
      } finally {
        await raw.close();
      }
    });
  });
}
