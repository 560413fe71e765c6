import { type Selectable, sql } from 'kysely';
import type { Database } from './database.js';
import { changed, type Db, translateUnique } from './sql-helpers.js';
import type { Page, UserRepository, UserRow } from './types.js';

/**
 * The form of an email address that uniqueness and look-ups compare: lower case. Computed here rather
 * than with SQL `lower()`, which folds only ASCII on SQLite and follows the locale on PostgreSQL.
 */
function emailKey(email: string): string {
  return email.normalize('NFC').toLowerCase();
}

function toUser(row: Selectable<Database['users']>): UserRow {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    status: row.status as UserRow['status'],
    failedLogins: Number(row.failed_logins),
    firstFailedAt: row.first_failed_at === null ? null : Number(row.first_failed_at),
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function checkPage({ offset, limit }: Page): Page {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`page offset and limit must be non-negative safe integers, got ${offset} and ${limit}`);
  }
  return { offset, limit };
}

export function userRepository(db: Db): UserRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('users')
          .values({
            id: row.id,
            email: row.email,
            email_key: emailKey(row.email),
            display_name: row.displayName,
            password_hash: row.passwordHash,
            status: row.status,
            failed_logins: row.failedLogins,
            first_failed_at: row.firstFailedAt,
            locked_until: row.lockedUntil,
            last_login_at: row.lastLoginAt,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
            created_by: row.createdBy,
            updated_by: row.updatedBy,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email_key', '=', emailKey(email)).executeTakeFirst();
      return row && toUser(row);
    },
    async list(filter, page) {
      const { offset, limit } = checkPage(page);
      let query = db.selectFrom('users').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.email !== undefined) query = query.where('email_key', '=', emailKey(filter.email));
      const rows = await query.orderBy('id').limit(limit).offset(offset).execute();
      return rows.map(toUser);
    },
    async update(id, patch) {
      const result = await db
        .updateTable('users')
        .set({
          ...(patch.displayName !== undefined && { display_name: patch.displayName }),
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.failedLogins !== undefined && { failed_logins: patch.failedLogins }),
          ...(patch.failedLogins === 0 && { first_failed_at: null }),
          ...(patch.lockedUntil !== undefined && { locked_until: patch.lockedUntil }),
          updated_at: patch.updatedAt,
          updated_by: patch.updatedBy,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return changed(result);
    },
    async delete(id) {
      return changed(await db.deleteFrom('users').where('id', '=', id).executeTakeFirst());
    },
    async recordFailedLogin(id, now, policy) {
      // One statement, so concurrent failures are all counted. A failure after the window has passed
      // starts a new window; the failure that reaches the limit sets the lock.
      const windowStart = now - policy.windowMs;
      const fresh = sql<boolean>`first_failed_at is null or first_failed_at <= ${windowStart}`;
      const count = sql<number>`case when ${fresh} then 1 else failed_logins + 1 end`;
      const row = await db
        .updateTable('users')
        .set({
          failed_logins: count,
          first_failed_at: sql<number>`case when ${fresh} then ${now} else first_failed_at end`,
          locked_until: sql<
            number | null
          >`case when ${count} >= ${policy.maxFailures} then ${now + policy.lockMs} else locked_until end`,
        })
        .where('id', '=', id)
        .returning(['failed_logins', 'locked_until'])
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        failedLogins: Number(row.failed_logins),
        lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
      };
    },
    async recordLogin(id, now) {
      await db
        .updateTable('users')
        .set({ failed_logins: 0, first_failed_at: null, locked_until: null, last_login_at: now })
        .where('id', '=', id)
        .execute();
    },
  };
}
