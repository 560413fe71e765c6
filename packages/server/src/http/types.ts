import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` for the few public routes; every other route requires a bearer token or API key. */
    auth?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The matched route pattern (for logs); undefined for requests that matched no route. */
    route?: string;
  }
}

/** The Fastify instance with the zod type provider, as route modules receive it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
