import { sql } from 'kysely';
import type { Db } from './sql-helpers.js';
import type { RateCounterRepository } from './types.js';

export function rateCounterRepository(db: Db): RateCounterRepository {
  return {
    async publish(node, counts) {
      for (let i = 0; i < counts.length; i += 200) {
        await db
          .insertInto('rate_counters')
          .values(
            counts.slice(i, i + 200).map((c) => ({
              bucket: c.bucket,
              window_start: c.windowStart,
              node,
              count: c.count,
              expires_at: c.expiresAt,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['bucket', 'window_start', 'node']).doUpdateSet({ count: (eb) => eb.ref('excluded.count') }),
          )
          .execute();
      }
    },
    async others(node, now) {
      const rows = await db
        .selectFrom('rate_counters')
        .select(['bucket', 'window_start', sql<number>`sum(count)`.as('total')])
        .where('node', '<>', node)
        .where('expires_at', '>', now)
        .groupBy(['bucket', 'window_start'])
        .execute();
      return rows.map((r) => ({ bucket: r.bucket, windowStart: Number(r.window_start), count: Number(r.total) }));
    },
    async deleteExpired(now) {
      await db.deleteFrom('rate_counters').where('expires_at', '<=', now).execute();
    },
  };
}
