import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { unauthorized } from '../errors.js';

/** The authenticated caller of a request (set by the auth hook on every non-public route). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
