import { z } from 'zod';

/**
 * Request-schema helpers for Skyflow's tolerance rules: `null` means absent (Python SDKs send explicit
 * nulls), unknown keys are ignored (zod objects strip them), query booleans are `true`/`false`.
 */
export const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const queryBoolean = z
  .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v.toLowerCase() === 'true'));

/** Pagination in the management API: `offset`/`limit` as strings, limit capped. */
export const pageQuery = {
  offset: z
    .string()
    .regex(/^\d+$/, 'offset must be a whole number')
    .optional()
    .refine((v) => v === undefined || Number(v) <= 1_000_000_000, 'offset is at most 1000000000')
    .transform((v) => (v === undefined ? 0 : Number(v))),
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a whole number')
    .optional()
    .transform((v) => (v === undefined ? 25 : Math.min(Math.max(Number(v), 1), 100))),
};

/**
 * Free text stored in the management tables (names, descriptions). NUL is refused: PostgreSQL cannot
 * store it in text columns, and no name needs it.
 */
export const text = (max: number, what: string) =>
  z
    .string()
    .max(max, `${what} is at most ${max} characters`)
    .refine((value) => !value.includes('\u0000'), `${what} must not contain NUL characters`)
    .refine((value) => value.isWellFormed(), `${what} must not contain unpaired UTF-16 surrogates`);

/** A required, trimmed name. */
export const nameText = (what = 'name') => text(100, what).pipe(z.string().trim().min(1, `${what} is required`));

export const id = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character lowercase hex ID');

export const emptyObject = z.object({}).describe('Empty object');
export const idResponse = z.object({ ID: z.string() });

/** Skyflow's `BasicAudit` block. */
export function basicAudit(row: { createdBy: string; updatedBy: string; createdAt: number; updatedAt: number }) {
  return {
    CreatedBy: row.createdBy,
    LastModifiedBy: row.updatedBy,
    CreatedOn: new Date(row.createdAt).toISOString(),
    LastModifiedOn: new Date(row.updatedAt).toISOString(),
  };
}

export const basicAuditSchema = z.object({
  CreatedBy: z.string(),
  LastModifiedBy: z.string(),
  CreatedOn: z.string(),
  LastModifiedOn: z.string(),
});

export const errorResponse = z
  .object({
    error: z.object({
      grpc_code: z.number().int(),
      http_code: z.number().int(),
      http_status: z.string(),
      message: z.string(),
      details: z.array(z.record(z.string(), z.unknown())),
    }),
  })
  .describe('Skyflow error shape');
