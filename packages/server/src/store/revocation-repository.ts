import type { Db } from './sql-helpers.js';
import type { RevocationRepository } from './types.js';

export function revocationRepository(db: Db): RevocationRepository {
  return {
    async revokeToken(row) {
      await db
        .insertInto('revoked_tokens')
        .values({
          jti: row.jti,
          service_account_id: row.serviceAccountId,
          expires_at: row.expiresAt,
          revoked_at: row.revokedAt,
        })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
    },
    async revokeAllBefore(serviceAccountId, before) {
      await db
        .insertInto('principal_revocations')
        .values({ service_account_id: serviceAccountId, revoked_before: before })
        .onConflict((oc) => oc.column('service_account_id').doUpdateSet({ revoked_before: before }))
        .execute();
    },
    async check(jti, serviceAccountId) {
      const [token, principal] = await Promise.all([
        db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst(),
        db
          .selectFrom('principal_revocations')
          .select('revoked_before')
          .where('service_account_id', '=', serviceAccountId)
          .executeTakeFirst(),
      ]);
      return { tokenRevoked: token !== undefined, revokedBefore: Number(principal?.revoked_before ?? 0) };
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('revoked_tokens').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async generation() {
      const row = await db.selectFrom('auth_generation').select('value').where('id', '=', 1).executeTakeFirst();
      return Number(row?.value ?? 0);
    },
    async bumpGeneration() {
      await db
        .updateTable('auth_generation')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('id', '=', 1)
        .execute();
    },
  };
}
