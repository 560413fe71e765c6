import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** Which limits a route is under: the token endpoint, the Data API, or none (management, health). */
export function limitKind(method: string, route: string): 'token' | 'data' | undefined {
  if (route === '/v1/auth/sa/oauth/token') return 'token';
  if (
    route.startsWith('/v1/vaults/:vaultID/') ||
    route.startsWith('/v2/vaults/') ||
    route === '/v1/files/:grant' ||
    // Detect reads and stores vault data like the Data API.
    route.startsWith('/v1/detect/') ||
    // The batch endpoint shares its path with the vault's management routes (GET, PATCH, DELETE).
    (route === '/v1/vaults/:vaultID' && method === 'POST')
  ) {
    return 'data';
  }
  return undefined;
}

type Limits = Pick<
  Config,
  'rateLimitTokenPerIp' | 'rateLimitTokenPerAccount' | 'rateLimitDataPerPrincipal' | 'rateLimitDataPerIp'
>;

/**
 * Checks one limit; when it is reached, sets `Retry-After` on the reply and returns the 429 to fail the
 * request with.
 */
function check(
  limiter: RateLimiter,
  reply: FastifyReply,
  bucket: string,
  limit: number,
  windowMs: number,
  what: string,
): AppError | undefined {
  const verdict = limiter.take(bucket, limit, windowMs);
  if (verdict.ok) return undefined;
  reply.header('retry-after', String(verdict.retryAfterSeconds));
  return new AppError('TOO_MANY_REQUESTS', `Too many requests: ${what}. Retry after ${verdict.retryAfterSeconds} s.`);
}

/** Before authentication: the per-address limit of the route's kind. */
export function checkAddress(
  limiter: RateLimiter,
  config: Limits,
  kind: 'token' | 'data',
  ip: string,
  reply: FastifyReply,
): AppError | undefined {
  return kind === 'token'
    ? check(
        limiter,
        reply,
        `token:ip:${ip}`,
        config.rateLimitTokenPerIp,
        60_000,
        `at most ${config.rateLimitTokenPerIp} token requests per minute from one address`,
      )
    : check(
        limiter,
        reply,
        `data:ip:${ip}`,
        config.rateLimitDataPerIp,
        1_000,
        `at most ${config.rateLimitDataPerIp} Data API requests per second from one address`,
      );
}

/** After authentication: the per-principal limit of the Data API. */
export function checkPrincipal(
  limiter: RateLimiter,
  config: Limits,
  principalId: string,
  reply: FastifyReply,
): AppError | undefined {
  return check(
    limiter,
    reply,
    `data:principal:${principalId}`,
    config.rateLimitDataPerPrincipal,
    1_000,
    `at most ${config.rateLimitDataPerPrincipal} Data API requests per second per principal`,
  );
}

/** After a successful grant: the per-account limit of the token endpoint. */
export function checkAccountGrant(
  limiter: RateLimiter,
  config: Limits,
  serviceAccountId: string,
  reply: FastifyReply,
): AppError | undefined {
  return check(
    limiter,
    reply,
    `token:account:${serviceAccountId}`,
    config.rateLimitTokenPerAccount,
    60_000,
    `at most ${config.rateLimitTokenPerAccount} tokens per minute per service account`,
  );
}
