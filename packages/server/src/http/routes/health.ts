import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { Services } from '../../server/services.js';
import type { App } from '../types.js';

export function registerHealthRoutes(app: App, services: Services): void {
  app.get(
    '/healthz',
    {
      config: { auth: false },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the store answers',
        response: { 200: z.object({ status: z.literal('ready'), store: z.enum(['sqlite', 'postgres']) }) },
      },
    },
    async () => {
      try {
        await services.store.ping();
      } catch {
        throw new AppError('UNAVAILABLE', 'The store is not reachable.');
      }
      return { status: 'ready' as const, store: services.store.kind };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      config: { auth: false },
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify bearer tokens minted by this server',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async () => services.issuer.jwks(),
  );
}
